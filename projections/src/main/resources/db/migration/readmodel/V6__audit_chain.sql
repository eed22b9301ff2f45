-- Issue #5 (audit): tamper-evident audit log. Each tenant's log has one hash chain per source
-- ('admin' from the event store, 'usage' from Kafka), each deterministic under replay (ADR 0008).
-- chain_id = tenant id, or '*' for events of no tenant (providers, global routes, unknown keys).
-- hash = hex(SHA-256(canonical JSON of the row ‖ hash of the previous row of the same chain)).

ALTER TABLE audit_log
    ADD COLUMN chain_id   text,
    ADD COLUMN seq        bigint,
    ADD COLUMN actor      text,
    ADD COLUMN api_key_id text,
    ADD COLUMN hash       text;

-- Rows written before this migration have no hash: they are chained here, in arrival order.
UPDATE audit_log SET chain_id = coalesce(tenant_id, '*'),
                     api_key_id = payload ->> 'apiKeyId',
                     actor = CASE WHEN source = 'usage' AND payload ->> 'apiKeyId' IS NOT NULL
                                  THEN 'api-key:' || (payload ->> 'apiKeyId') END;
UPDATE audit_log a SET seq = n.seq
FROM (SELECT id, row_number() OVER (PARTITION BY chain_id, source ORDER BY id) AS seq FROM audit_log) n
WHERE a.id = n.id;
-- (their hashes are computed by the application at start-up: AuditChainBackfill)

ALTER TABLE audit_log
    ALTER COLUMN chain_id SET NOT NULL,
    ALTER COLUMN seq SET NOT NULL,
    ADD CONSTRAINT audit_log_chain_seq UNIQUE (chain_id, source, seq);
CREATE INDEX audit_log_tenant_type ON audit_log (tenant_id, event_type, occurred_at);
CREATE INDEX audit_log_tenant_key ON audit_log (tenant_id, api_key_id, occurred_at);
CREATE INDEX audit_log_tenant_actor ON audit_log (tenant_id, actor, occurred_at);

-- The head of each chain: locked FOR UPDATE by every append, so writes to one chain are serialized.
CREATE TABLE audit_chain_head (
    chain_id text   NOT NULL,
    source   text   NOT NULL,
    seq      bigint NOT NULL,
    hash     text   NOT NULL,
    PRIMARY KEY (chain_id, source)
);

-- Whether a tenant opted in to storing prompt/completion text in its audit log (masked), by command.
CREATE TABLE audit_content_policy (
    tenant_id            text PRIMARY KEY,
    store_prompt_content boolean     NOT NULL,
    updated_at           timestamptz NOT NULL,
    change_index         bigint      NOT NULL
);
