-- Issue #11: a route's policy (strategy, fallbacks, retry, timeouts) as RouteDefined revision 3 carries
-- it; NULL = the default policy (routes defined before). Targets' weight/priority live in targets.
ALTER TABLE rm_route ADD COLUMN policy jsonb;
-- Issue #11: a provider's further credentials (ProviderRegistered revision 2), encrypted like the
-- first: a JSON array of ciphertexts, NULL for one credential.
ALTER TABLE rm_provider ADD COLUMN extra_api_key_ciphertexts jsonb;
