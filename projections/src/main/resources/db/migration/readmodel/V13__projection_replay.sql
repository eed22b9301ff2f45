-- Issue #14: a replay of an event processor, coordinated across every query-side instance (ADR 0023).
--
-- projection_replay: one row per replay request (POST /admin/v1/projections/{name}/replay).
--   REQUESTED  every instance stops its processor (releasing its segments) and acknowledges;
--   RESETTING  once no segment is claimed (or every claim is older than the token store's claim
--              timeout), exactly one instance won "UPDATE ... WHERE state = 'REQUESTED'" and resets
--              the tokens (reset_by, reset_started_at);
--   DONE       the tokens were reset and every claim released, in the same transaction as this state;
--   FAILED     not done within the bound (detail says why); the tokens were not reset.
-- Every instance that stopped starts its processor again once the request is DONE or FAILED.
CREATE TABLE projection_replay (
    id               uuid        PRIMARY KEY,
    processor        text        NOT NULL,
    requested_by     text        NOT NULL,
    requested_at     timestamptz NOT NULL,
    state            text        NOT NULL CHECK (state IN ('REQUESTED', 'RESETTING', 'DONE', 'FAILED')),
    reset_by         text,
    reset_started_at timestamptz,
    finished_at      timestamptz,
    detail           text
);

-- at most one open request per processor: a second POST while one is open is 409
CREATE UNIQUE INDEX projection_replay_one_open ON projection_replay (processor)
    WHERE state IN ('REQUESTED', 'RESETTING');

-- each instance's acknowledgement: when it stopped its processor for the request, and when it
-- started it again
CREATE TABLE projection_replay_ack (
    replay_id    uuid        NOT NULL REFERENCES projection_replay (id) ON DELETE CASCADE,
    node_id      text        NOT NULL,
    stopped_at   timestamptz NOT NULL,
    restarted_at timestamptz,
    PRIMARY KEY (replay_id, node_id)
);
