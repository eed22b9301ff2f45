package io.llmproxy.query.consistency;

import java.util.List;
import java.util.OptionalLong;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.axonframework.serialization.SimpleSerializedType;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Where the read models are (ADR 0020, ADR 0022): the lowest position over every segment of the
 * event processors that build them. A segment's position is the higher of the one its owner last reported in
 * {@code projection_segment_position} (handled or skipped every event up to it: see
 * {@code SegmentSteward}) and the position of its token in Axon's token store ({@code tokenentry}, decoded with Axon's serializer: {@link TrackingToken#position()},
 * the global index of the last event it handled, through replays too). Both tables are shared by
 * every query-side instance, so a segment claimed by another instance counts too.
 */
public class ProjectionPositions {

    private final JdbcTemplate jdbc;
    private final Serializer serializer;
    private final List<String> processors;

    /**
     * @param processors the processing groups that build read models, e.g. {@code admin-read-model},
     *                   {@code audit-admin}
     */
    public ProjectionPositions(JdbcTemplate jdbc, Serializer serializer, List<String> processors) {
        this.jdbc = jdbc;
        this.serializer = serializer;
        this.processors = List.copyOf(processors);
    }

    /**
     * @return the lowest position of any segment of the processors; -1 when one of them has no token
     *         yet, or a token without a position (nothing handled yet)
     */
    public long lowest() {
        long lowest = Long.MAX_VALUE;
        int seen = 0;
        List<Row> rows = jdbc.query("""
                        SELECT t.processorname, t.token, t.tokentype, p.position FROM tokenentry t
                        LEFT JOIN projection_segment_position p ON p.processor = t.processorname AND p.segment = t.segment
                        WHERE t.processorname IN (""" + String.join(",", processors.stream().map(p -> "?").toList()) + ")",
                (rs, i) -> new Row(rs.getString(1), rs.getBytes(2), rs.getString(3), (Long) rs.getObject(4)),
                processors.toArray());
        for (String processor : processors) {
            boolean found = false;
            for (Row row : rows) {
                if (!row.processor().equals(processor)) {
                    continue;
                }
                found = true;
                OptionalLong position = position(row);
                if (position.isEmpty()) {
                    return -1;
                }
                lowest = Math.min(lowest, position.getAsLong());
            }
            if (!found) {
                return -1;
            }
            seen++;
        }
        return seen == 0 ? -1 : lowest;
    }

    /** @return the higher of the reported and the stored position (both only ever lag the truth) */
    private OptionalLong position(Row row) {
        OptionalLong stored = OptionalLong.empty();
        if (row.token() != null && row.type() != null) {
            TrackingToken token = serializer.deserialize(new SimpleSerializedObject<>(row.token(), byte[].class,
                    new SimpleSerializedType(row.type(), null)));
            stored = token == null ? OptionalLong.empty() : token.position();
        }
        if (row.reported() == null) {
            return stored;
        }
        return OptionalLong.of(stored.isPresent() ? Math.max(stored.getAsLong(), row.reported()) : row.reported());
    }

    private record Row(String processor, byte[] token, String type, Long reported) {
    }
}
