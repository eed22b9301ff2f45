-- Every quota policy change, so that the policy in force at any past instant can be answered.
CREATE TABLE rm_quota_policy_history (
    scope        text        NOT NULL,
    subject_id   text        NOT NULL,
    tenant_id    text        NOT NULL,
    limits       jsonb       NOT NULL,
    effective_at timestamptz NOT NULL,
    change_index bigint      NOT NULL,
    PRIMARY KEY (scope, subject_id, change_index)
);
CREATE INDEX rm_quota_policy_history_tenant ON rm_quota_policy_history (tenant_id, effective_at);
