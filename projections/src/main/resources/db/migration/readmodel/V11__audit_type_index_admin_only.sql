-- Issue #16: every usage row has event_type 'UsageRecorded', so an index on (tenant, event_type, time)
-- serves only admin rows, yet cost every usage append an index insert. The audit query adds
-- "source = 'admin'" to an event-type filter other than UsageRecorded (and "source = 'usage'" to that
-- one: same rows), which this partial index answers; UsageRecorded reads use audit_log_tenant_time.
DROP INDEX audit_log_tenant_type;
CREATE INDEX audit_log_admin_tenant_type ON audit_log (tenant_id, event_type, occurred_at) WHERE source = 'admin';
