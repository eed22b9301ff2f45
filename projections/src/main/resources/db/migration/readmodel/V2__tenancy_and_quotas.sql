-- Issue #4: tenant status, users, key options and rotation, quota policies, tenant routes.

ALTER TABLE rm_tenant ADD COLUMN status text NOT NULL DEFAULT 'ACTIVE';
CREATE INDEX rm_tenant_change ON rm_tenant (change_index);

CREATE TABLE rm_user (
    user_id      text PRIMARY KEY,
    tenant_id    text        NOT NULL,
    email        text        NOT NULL,
    role         text        NOT NULL,
    created_at   timestamptz NOT NULL,
    removed_at   timestamptz,
    change_index bigint      NOT NULL
);
CREATE INDEX rm_user_tenant ON rm_user (tenant_id);

ALTER TABLE rm_api_key
    ADD COLUMN owner_user_id        text,
    ADD COLUMN allowed_models       jsonb,
    ADD COLUMN expires_at           timestamptz,
    ADD COLUMN previous_key_hash    text,
    ADD COLUMN previous_valid_until timestamptz,
    ADD COLUMN rotated_at           timestamptz;

-- The policy in force now per (scope, subject); the history is in the event store.
CREATE TABLE rm_quota_policy (
    scope        text        NOT NULL,
    subject_id   text        NOT NULL,
    tenant_id    text        NOT NULL,
    limits       jsonb       NOT NULL,
    updated_at   timestamptz NOT NULL,
    change_index bigint      NOT NULL,
    PRIMARY KEY (scope, subject_id)
);
CREATE INDEX rm_quota_policy_change ON rm_quota_policy (change_index);

-- Routes: global (tenant_id NULL, route_id = model) or a tenant's own (route_id = tenantId/model).
ALTER TABLE rm_route ADD COLUMN route_id text;
UPDATE rm_route SET route_id = model;
ALTER TABLE rm_route DROP CONSTRAINT rm_route_pkey;
ALTER TABLE rm_route ALTER COLUMN route_id SET NOT NULL;
ALTER TABLE rm_route ADD PRIMARY KEY (route_id);
ALTER TABLE rm_route ADD COLUMN tenant_id text;
