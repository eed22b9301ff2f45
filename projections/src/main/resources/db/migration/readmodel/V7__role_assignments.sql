-- Issue #10: role assignments at scopes, with their history (ADR 0013). One row per period in which
-- a principal held a role at a scope: valid_to IS NULL while in force. Explicit assignments
-- (source 'command', from RoleAssigned / RoleAssignmentRemoved) and the implicit ones of tenant
-- users (source 'user', from UserAdded / UserRoleChanged / UserRemoved) live side by side.
CREATE TABLE rm_role_assignment (
    assignment_id text        NOT NULL,  -- command: AssignRole.idOf(...); user: user:<userId>/<Role>
    principal     text        NOT NULL,  -- Keycloak preferred_username, lower-cased
    role          text        NOT NULL,  -- PlatformAdmin | TenantAdmin | Developer | FinanceReader | Auditor
    tenant_id     text,                  -- NULL = platform scope
    source        text        NOT NULL,  -- command | user
    user_id       text,                  -- source = user: the tenant user it derives from
    valid_from    timestamptz NOT NULL,
    valid_to      timestamptz,           -- NULL = in force now
    from_event_id text        NOT NULL,  -- Axon message id of the event that started the period
    to_event_id   text,                  -- … and of the event that ended it
    from_index    bigint      NOT NULL,  -- event-store global index of those events
    to_index      bigint,
    PRIMARY KEY (from_event_id, role)
);
CREATE INDEX rm_role_assignment_scope ON rm_role_assignment (tenant_id, role, valid_from);
CREATE INDEX rm_role_assignment_principal ON rm_role_assignment (principal, valid_from);
CREATE INDEX rm_role_assignment_user ON rm_role_assignment (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX rm_role_assignment_open ON rm_role_assignment (assignment_id) WHERE valid_to IS NULL;
