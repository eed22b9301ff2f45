package io.llmproxy.query.audit;

import io.llmproxy.projection.audit.AuditChainVerifier;
import io.llmproxy.projection.audit.AuditLog;
import io.llmproxy.query.web.Params;
import io.llmproxy.query.web.QueryRejected;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.coyote.CloseNowException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Compliance reads of the audit log: one tenant's admin and usage events in order, filtered,
 * paged by cursor (or offset), exported as CSV or JSON lines, and the verification of its hash chains.
 */
@RestController
class AuditQueryController {

    /** The event type of every usage row (and of no admin row). */
    private static final String USAGE_EVENT_TYPE = "UsageRecorded";

    /**
     * One audit row.
     *
     * @param sequence   the row's arrival number across the whole log ({@code audit_log.id}; not kept by a replay)
     * @param seq        the row's position in its hash chain (tenant × source), 1, 2, 3…
     * @param source     {@code admin} (event store) or {@code usage} (Kafka)
     * @param eventType  e.g. {@code ApiKeyIssued}, {@code UsageRecorded}
     * @param occurredAt event time (UTC, microseconds)
     * @param actor      {@code admin-token[:name]} for admin commands, {@code api-key:<apiKeyId>} for calls,
     *                   null when unknown (events stored before actors were recorded)
     * @param apiKeyId   the API key the event is about, or null
     * @param data       the event's fields, without key material
     * @param hash       hex SHA-256 chaining this row to the previous one of its chain (ADR 0008)
     */
    record AuditEntry(long sequence, long seq, String eventId, String source, String eventType, Instant occurredAt,
                      String actor, String apiKeyId, JsonNode data, String hash) {
    }

    static final String CSV = "text/csv";
    static final String NDJSON = "application/x-ndjson";
    private static final String[] CSV_HEADER = {"sequence", "seq", "eventId", "source", "eventType", "occurredAt",
            "actor", "apiKeyId", "hash", "data"};
    private static final int EXPORT_FETCH_SIZE = 1000;
    private static final Logger log = LoggerFactory.getLogger(AuditQueryController.class);

    private final JdbcTemplate jdbc;
    private final JdbcTemplate exportJdbc;
    private final TransactionTemplate tx;
    private final JsonMapper json;
    private final AuditChainVerifier verifier;

    private final io.llmproxy.query.telemetry.QueryMetrics metrics;
    private final AuditReadProperties properties;
    private final AuditReadLimits limits;

    AuditQueryController(JdbcTemplate jdbc, TransactionTemplate tx, JsonMapper json, AuditChainVerifier verifier,
                         io.llmproxy.query.telemetry.QueryMetrics metrics, AuditReadProperties properties,
                         AuditReadLimits limits) {
        this.metrics = metrics;
        this.properties = properties;
        this.limits = limits;
        this.jdbc = jdbc;
        this.exportJdbc = new JdbcTemplate(jdbc.getDataSource());
        this.exportJdbc.setFetchSize(EXPORT_FETCH_SIZE);
        this.tx = tx;
        this.json = json;
        this.verifier = verifier;
    }

    /**
     * {@code GET /audit/v1/events?tenantId=&from=&to=&eventType=&actor=&apiKeyId=&source=&limit=&cursor=&offset=&format=}
     *
     * <p>Rows of one tenant ordered by event time, then arrival. Filters (all optional except
     * {@code tenantId}): {@code from}/{@code to} ISO-8601 instants, [from, to); {@code eventType}
     * exact (e.g. {@code ApiKeyRevoked}); {@code actor} exact (e.g. {@code admin-token:alice});
     * {@code apiKeyId}; {@code source} {@code admin} or {@code usage}.
     *
     * <ul>
     *   <li>JSON (default): {@code {"tenantId","limit","offset","items":[AuditEntry],"nextCursor"}}. A page
     *       holds at most {@code limit} items (1..1000, default 100) <em>and</em> about
     *       {@code llmproxy.audit.page-max-bytes} (2 MiB) of event data: rows are added while the rows
     *       before them hold less than that ({@code payload::text} bytes), so a page may have fewer than
     *       {@code limit} items though more follow, and always has at least one. Clients follow
     *       {@code nextCursor} (pass it back as {@code cursor}; null on the last page); {@code offset} ≥ 0
     *       still works without a cursor, and an offset client advances by the number of items returned.</li>
     *   <li>{@code format=csv} or {@code Accept: text/csv}: every matching row (after {@code cursor}),
     *       columns {@code sequence,seq,eventId,source,eventType,occurredAt,actor,apiKeyId,hash,data}
     *       (data = the JSON object), RFC 4180.</li>
     *   <li>{@code format=ndjson} or {@code Accept: application/x-ndjson}: every matching row, one
     *       AuditEntry JSON object per line.</li>
     * </ul>
     *
     * <p>Bounds per instance ({@link AuditReadProperties}): at most {@code max-concurrent-exports} (2)
     * exports and {@code max-concurrent-pages} (4) JSON pages at once; a request that finds none free
     * within a second gets 503 {@code busy} with {@code Retry-After: 5}. An export that runs longer than
     * {@code export-max-duration} (10 min) is cut: the connection closes before the end of the body.
     *
     * @throws QueryRejected 400 naming the parameter (limit, offset, from, to, source, cursor, format);
     *                       503 {@code busy}
     */
    @GetMapping("/audit/v1/events")
    void events(@RequestParam String tenantId, @RequestParam(required = false) String from,
                @RequestParam(required = false) String to, @RequestParam(required = false) String eventType,
                @RequestParam(required = false) String actor, @RequestParam(required = false) String apiKeyId,
                @RequestParam(required = false) String source, @RequestParam(defaultValue = "100") int limit,
                @RequestParam(defaultValue = "0") int offset, @RequestParam(required = false) String cursor,
                @RequestParam(required = false) String format,
                @RequestHeader(value = "Accept", required = false) String accept,
                HttpServletResponse response) throws IOException {
        String type = contentType(format, accept);
        if (limit < 1 || limit > 1000) {
            throw QueryRejected.badParameter("limit", "limit must be 1..1000");
        }
        if (offset < 0) {
            throw QueryRejected.badParameter("offset", "offset must be ≥ 0");
        }
        if (source != null && !AuditLog.SOURCE_ADMIN.equals(source) && !AuditLog.SOURCE_USAGE.equals(source)) {
            throw QueryRejected.badParameter("source", "source must be admin or usage");
        }
        StringBuilder sql = new StringBuilder("SELECT id, seq, event_id, source, event_type, occurred_at, actor, api_key_id, "
                + "payload::text AS payload, hash FROM audit_log WHERE tenant_id = ?");
        List<Object> params = new ArrayList<>(List.of(tenantId));
        Instant fromAt = Params.instant("from", from, null);
        Instant toAt = Params.instant("to", to, null);
        if (fromAt != null) {
            sql.append(" AND occurred_at >= ?");
            params.add(fromAt.atOffset(ZoneOffset.UTC));
        }
        if (toAt != null) {
            sql.append(" AND occurred_at < ?");
            params.add(toAt.atOffset(ZoneOffset.UTC));
        }
        filter(sql, params, "event_type", eventType);
        if (eventType != null) {
            // the same rows (usage rows are all UsageRecorded, admin rows never): lets PostgreSQL use the
            // partial index audit_log_admin_tenant_type (V11) for admin types, also in a generic plan
            sql.append(USAGE_EVENT_TYPE.equals(eventType) ? " AND source = 'usage'" : " AND source = 'admin'");
        }
        filter(sql, params, "actor", actor);
        if (actor != null) {
            // the same rows (an 'api-key:<id>' actor is only ever written with api_key_id <id>): lets PostgreSQL use
            // audit_log_tenant_key for API-key actors and the partial audit_log_tenant_actor_not_key for others (V12)
            if (actor.startsWith(AuditLog.API_KEY_ACTOR)) {
                filter(sql, params, "api_key_id", actor.substring(AuditLog.API_KEY_ACTOR.length()));
            } else {
                sql.append(" AND actor NOT LIKE 'api-key:%'");
            }
        }
        filter(sql, params, "api_key_id", apiKeyId);
        filter(sql, params, "source", source);
        if (cursor != null) {
            Cursor after = Cursor.parse(cursor);
            sql.append(" AND (occurred_at, id) > (?, ?)");
            params.add(after.occurredAt().atOffset(ZoneOffset.UTC));
            params.add(after.id());
        }
        sql.append(" ORDER BY occurred_at, id");
        response.setCharacterEncoding("UTF-8");
        if (type.equals("json")) {
            try (AuditReadLimits.Permit permit = limits.page()) {
                page(tenantId, sql.toString(), params, limit, cursor == null ? offset : 0, response);
            }
            return;
        }
        try (AuditReadLimits.Permit permit = limits.export()) {
            export(tenantId, type, sql.toString(), params.toArray(), response);
        }
    }

    /**
     * One JSON page: at most {@code limit} rows, and rows only while the rows before them hold less than
     * {@code page-max-bytes} of event data (the first row always), cut in SQL so the rest is never read.
     */
    private void page(String tenantId, String sql, List<Object> params, int limit, int offset,
                      HttpServletResponse response) throws IOException {
        String paged = "SELECT id, seq, event_id, source, event_type, occurred_at, actor, api_key_id, payload, hash, total"
                + " FROM (SELECT r.*, row_number() OVER w AS n, count(*) OVER () AS total,"
                + " sum(octet_length(r.payload)) OVER w - octet_length(r.payload) AS bytes_before"
                + " FROM (" + sql + " LIMIT ? OFFSET ?) r WINDOW w AS (ORDER BY occurred_at, id)) p"
                + " WHERE n <= ? AND (n = 1 OR bytes_before < ?) ORDER BY occurred_at, id";
        params.add(limit + 1);
        params.add(offset);
        params.add(limit);
        params.add(properties.pageMaxBytes().toBytes());
        long[] matched = {0};
        List<AuditEntry> items = jdbc.query(paged, (rs, i) -> {
            matched[0] = rs.getLong(11);
            return entry(rs);
        }, params.toArray());
        String next = null;
        if (items.size() < matched[0]) {
            // more than limit rows, or cut by the byte cap: the client continues after the last row returned
            AuditEntry last = items.getLast();
            next = new Cursor(last.occurredAt(), last.sequence()).encode();
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("tenantId", tenantId);
        result.put("limit", limit);
        result.put("offset", offset);
        result.put("items", items);
        result.put("nextCursor", next);
        response.setContentType("application/json");
        json.writeValue(response.getOutputStream(), result);
    }

    /**
     * Streams every row inside one read transaction (a server-side cursor, {@value #EXPORT_FETCH_SIZE}
     * rows at a time). Past {@code export-max-duration} the next row stops it: the transaction ends, the
     * connection goes back to the pool and the connection to the client is closed without the end of the
     * body (the response is committed), so the client sees a cut stream, not a shorter file.
     */
    private void export(String tenantId, String type, String sql, Object[] params, HttpServletResponse response)
            throws IOException {
        response.setContentType(type.equals("csv") ? CSV + ";charset=UTF-8" : NDJSON);
        response.setHeader("Content-Disposition", "attachment; filename=\"audit-" + safeName(tenantId)
                + (type.equals("csv") ? ".csv\"" : ".ndjson\""));
        Writer out = new OutputStreamWriter(response.getOutputStream(), StandardCharsets.UTF_8);
        CSVPrinter csv = type.equals("csv") ? new CSVPrinter(out, CSVFormat.RFC4180.builder().setHeader(CSV_HEADER).get()) : null;
        long started = System.nanoTime();
        long maxNanos = properties.exportMaxDuration().toNanos();
        long[] rows = {0};
        try {
            tx.executeWithoutResult(status -> exportJdbc.query(sql, rs -> {
                if (System.nanoTime() - started > maxNanos) {
                    throw new ExportDeadlinePassed();
                }
                AuditEntry e = entry(rs);
                try {
                    if (csv != null) {
                        csv.printRecord(e.sequence(), e.seq(), e.eventId(), e.source(), e.eventType(), e.occurredAt(),
                                e.actor(), e.apiKeyId(), e.hash(), e.data().toString());
                    } else {
                        out.write(json.writeValueAsString(e));
                        out.write('\n');
                    }
                } catch (IOException io) {
                    throw new UncheckedIOException(io);
                }
                rows[0]++;
            }, params));
        } catch (ExportDeadlinePassed e) {
            log.warn("audit export of tenant {} stopped after {} rows: it ran longer than llmproxy.audit.export-max-duration ({});"
                    + " the client's stream is cut", tenantId, rows[0], properties.exportMaxDuration());
            throw new CloseNowException("audit export stopped at llmproxy.audit.export-max-duration");
        } catch (UncheckedIOException e) {
            throw e.getCause(); // the client went away: Tomcat ends the request quietly
        }
        out.flush();
    }

    /** Thrown from the row callback when the export's time is up; rolls back its read transaction. */
    private static final class ExportDeadlinePassed extends RuntimeException {
        ExportDeadlinePassed() {
            super("audit export deadline passed", null, false, false);
        }
    }

    /**
     * {@code GET /audit/v1/verify?tenantId=} → {@code {"tenantId","ok":true,"rows":N}} or
     * {@code {"tenantId","ok":false,"rows":checked,"firstBroken":{"source","seq","id","eventId","reason",
     * "expectedHash","storedHash"}}}: recomputes every hash of the tenant's chains (admin, then usage).
     * {@code tenantId=*} verifies the chain of events of no tenant (providers, global routes).
     */
    @GetMapping("/audit/v1/verify")
    Map<String, Object> verify(@RequestParam String tenantId) {
        long started = System.nanoTime();
        AuditChainVerifier.Verification v = verifier.verify(tenantId);
        metrics.verified(v.ok());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("tenantId", tenantId);
        result.put("ok", v.ok());
        result.put("rows", v.rows());
        if (!v.ok()) {
            result.put("firstBroken", v.firstBroken());
        }
        result.put("tookMs", (System.nanoTime() - started) / 1_000_000);
        return result;
    }

    private AuditEntry entry(ResultSet rs) throws SQLException {
        return new AuditEntry(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getObject(6, OffsetDateTime.class).toInstant(), rs.getString(7), rs.getString(8),
                json.readTree(rs.getString(9)), rs.getString(10));
    }

    private static void filter(StringBuilder sql, List<Object> params, String column, String value) {
        if (value != null) {
            sql.append(" AND ").append(column).append(" = ?");
            params.add(value);
        }
    }

    /** @return json, csv or ndjson: {@code format} wins over {@code Accept} */
    static String contentType(String format, String accept) {
        if (format != null) {
            return switch (format) {
                case "json", "csv", "ndjson" -> format;
                default -> throw QueryRejected.badParameter("format", "format must be json, csv or ndjson");
            };
        }
        if (accept != null && accept.contains(CSV)) {
            return "csv";
        }
        if (accept != null && (accept.contains(NDJSON) || accept.contains("application/jsonl"))) {
            return "ndjson";
        }
        return "json";
    }

    private static String safeName(String tenantId) {
        return tenantId.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    /** Keyset position: the last row's event time and id, as base64url of {@code <instant>|<id>}. */
    record Cursor(Instant occurredAt, long id) {

        String encode() {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((occurredAt + "|" + id).getBytes(StandardCharsets.UTF_8));
        }

        /**
         * @throws QueryRejected 400 {@code cursor} unless {@code value} is base64url of {@code <instant>|<id>} with
         *                       the instant in {@link Params#EARLIEST}..{@link Params#LATEST} and the id ≥ 0
         */
        static Cursor parse(String value) {
            Cursor cursor;
            try {
                String text = new String(Base64.getUrlDecoder().decode(value), StandardCharsets.UTF_8);
                int bar = text.indexOf('|');
                cursor = new Cursor(Instant.parse(text.substring(0, bar)), Long.parseLong(text.substring(bar + 1)));
            } catch (RuntimeException e) {
                throw invalid();
            }
            if (cursor.occurredAt().isBefore(Params.EARLIEST) || cursor.occurredAt().isAfter(Params.LATEST) || cursor.id() < 0) {
                throw invalid();
            }
            return cursor;
        }

        private static QueryRejected invalid() {
            return QueryRejected.badParameter("cursor", "cursor must be a nextCursor value of a previous page");
        }
    }
}
