package io.llmproxy.query.consistency;

import java.util.List;
import java.util.OptionalLong;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.axonframework.serialization.SimpleSerializedType;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Where the read models are (ADR 0020): the lowest position over every segment of the event
 * processors that build them, read from Axon's token store ({@code tokenentry}, shared by every
 * query-side instance, so a segment claimed by another instance counts too) and the tokens decoded
 * with Axon's serializer ({@link TrackingToken#position()}: the global index of the last event the
 * segment handled, through replays too).
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
        List<Row> rows = jdbc.query("SELECT processorname, token, tokentype FROM tokenentry WHERE processorname IN ("
                        + String.join(",", processors.stream().map(p -> "?").toList()) + ")",
                (rs, i) -> new Row(rs.getString(1), rs.getBytes(2), rs.getString(3)), processors.toArray());
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

    private OptionalLong position(Row row) {
        if (row.token() == null || row.type() == null) {
            return OptionalLong.empty();
        }
        TrackingToken token = serializer.deserialize(new SimpleSerializedObject<>(row.token(), byte[].class,
                new SimpleSerializedType(row.type(), null)));
        return token == null ? OptionalLong.empty() : token.position();
    }

    private record Row(String processor, byte[] token, String type) {
    }
}
