-- Issue #14: the event processors run several segments, claimed through Axon's token store by every
-- query-side instance (ADR 0022).
--
-- projection_segment_position: for each segment, the global index up to which its owner has handled
-- (and committed) or skipped every event: Axon stores an idle segment's token only now and then, so
-- the owner reports its in-memory progress here (at most every 50 ms, only when it moved). A reader
-- that needs "every event up to N is in the read models" takes the lowest position over all segments
-- (query-side's read-your-writes, the edge's snapshot cursor).
CREATE TABLE projection_segment_position (
    processor  text        NOT NULL,
    segment    integer     NOT NULL,
    position   bigint      NOT NULL,
    owner      text        NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (processor, segment)
);

-- projection_node: the query-side instances alive for a processor (seen_at refreshed every second), so
-- each can hold its fair share of segments: ceil(segments / live instances).
CREATE TABLE projection_node (
    node_id   text        NOT NULL,
    processor text        NOT NULL,
    seen_at   timestamptz NOT NULL,
    claimed   integer     NOT NULL,
    PRIMARY KEY (node_id, processor)
);
