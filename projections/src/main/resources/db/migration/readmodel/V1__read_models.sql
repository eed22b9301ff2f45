-- Read models built by projections (query-side). Nothing writes these tables except a projection.
-- change_index = Axon global index of the last event applied to the row: deterministic under
-- replay, and the cursor of the edge's change stream (ADR 0002).

CREATE TABLE rm_tenant (
    tenant_id    text PRIMARY KEY,
    name         text        NOT NULL,
    created_at   timestamptz NOT NULL,
    change_index bigint      NOT NULL
);

CREATE TABLE rm_api_key (
    api_key_id     text PRIMARY KEY,
    tenant_id      text        NOT NULL,
    name           text        NOT NULL,
    key_hash       text        NOT NULL UNIQUE,
    display_prefix text        NOT NULL,
    status         text        NOT NULL,
    created_at     timestamptz NOT NULL,
    revoked_at     timestamptz,
    change_index   bigint      NOT NULL
);
CREATE INDEX rm_api_key_tenant ON rm_api_key (tenant_id);
CREATE INDEX rm_api_key_change ON rm_api_key (change_index);

CREATE TABLE rm_provider (
    provider_id        text PRIMARY KEY,
    name               text        NOT NULL,
    type               text        NOT NULL,
    base_url           text        NOT NULL,
    api_key_ciphertext text        NOT NULL,
    created_at         timestamptz NOT NULL,
    change_index       bigint      NOT NULL
);
CREATE INDEX rm_provider_change ON rm_provider (change_index);

CREATE TABLE rm_route (
    model        text PRIMARY KEY,
    targets      jsonb       NOT NULL,
    updated_at   timestamptz NOT NULL,
    change_index bigint      NOT NULL
);
CREATE INDEX rm_route_change ON rm_route (change_index);

-- Billing read model: one row per usage event; event_id is the idempotence key.
CREATE TABLE usage_record (
    event_id          text PRIMARY KEY,
    tenant_id         text,
    api_key_id        text,
    endpoint          text        NOT NULL,
    model             text,
    provider_id       text,
    provider_model    text,
    stream            boolean     NOT NULL,
    prompt_tokens     bigint      NOT NULL,
    completion_tokens bigint      NOT NULL,
    total_tokens      bigint      NOT NULL,
    latency_ms        bigint      NOT NULL,
    http_status       int         NOT NULL,
    outcome           text        NOT NULL,
    occurred_at       timestamptz NOT NULL
);
CREATE INDEX usage_record_tenant_time ON usage_record (tenant_id, occurred_at);

-- Audit log: admin events (event store) and usage events (Kafka), per tenant, in order.
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    event_id    text        NOT NULL UNIQUE,
    tenant_id   text,
    source      text        NOT NULL,
    event_type  text        NOT NULL,
    occurred_at timestamptz NOT NULL,
    payload     jsonb       NOT NULL
);
CREATE INDEX audit_log_tenant_time ON audit_log (tenant_id, occurred_at, id);
