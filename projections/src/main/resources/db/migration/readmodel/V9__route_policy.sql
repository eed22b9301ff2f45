-- Issue #11: a route's policy (strategy, fallbacks, retry, timeouts) as RouteDefined revision 3 carries
-- it; NULL = the default policy (routes defined before). Targets' weight/priority live in targets.
ALTER TABLE rm_route ADD COLUMN policy jsonb;
