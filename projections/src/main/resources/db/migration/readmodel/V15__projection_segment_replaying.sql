-- A replay's rebuild is visible (ADR 0023 addendum, io.llmproxy.kernel.replay.ReplayFence): the reset's
-- transaction marks every segment of the processor replaying (position -1); each segment's owner clears the
-- flag once its token has passed the reset point. While a segment of admin-read-model replays, the admin
-- apps give Keycloak principals no authority, the edge keeps its last snapshot and the usage consumer does
-- not price usage events: the half-rebuilt tables would bring revoked keys and roles back and miss prices.
ALTER TABLE projection_segment_position ADD COLUMN replaying boolean NOT NULL DEFAULT false;
