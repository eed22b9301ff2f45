-- Issue #10: the outcome of provisioning each tenant user into Keycloak (query-side's processor
-- keycloak-user-provisioning). One row per tenant user; never a secret.
CREATE TABLE identity_provisioning (
    tenant_id        text        NOT NULL,
    user_id          text        NOT NULL,
    username         text        NOT NULL,   -- the Keycloak user name: the e-mail, lower-cased
    keycloak_user_id text,
    state            text        NOT NULL,   -- provisioned | disabled | failing
    attempts         integer     NOT NULL,   -- tries of the current step (reset when a step succeeds)
    last_error       text,                   -- the last failure's type and message (no secret)
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
