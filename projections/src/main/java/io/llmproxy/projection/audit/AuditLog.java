package io.llmproxy.projection.audit;

import io.llmproxy.kernel.audit.SecretMasker;
import io.llmproxy.projection.support.PgText;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.TreeMap;
import java.util.Map;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Appends rows to the tamper-evident {@code audit_log}, idempotently by event id.
 *
 * <p>Each tenant's log holds two hash chains, one per source ({@code admin}: the event store,
 * {@code usage}: Kafka), because each source has an order that a replay reproduces exactly
 * (the event store's global index; the Kafka partition of the tenant) while their interleaving
 * does not (ADR 0008). An append locks the chain's head row ({@code audit_chain_head}, FOR UPDATE)
 * in the caller's transaction, so appends to one chain are serialized across threads and
 * processes, gives the row {@code seq = head.seq + 1} and {@code hash = }{@link AuditRow#hash}
 * of the head's hash, and moves the head.
 */
@Component
public class AuditLog implements SmartInitializingSingleton {

    /** Rows that come from the event store. */
    public static final String SOURCE_ADMIN = "admin";
    /** Rows that come from usage events on Kafka. */
    public static final String SOURCE_USAGE = "usage";
    /** Chain of the events of no tenant (providers, global routes, calls with an unknown key). */
    public static final String NO_TENANT_CHAIN = "*";
    /** Actor prefix of rows caused by a call with an API key: {@code api-key:<apiKeyId>}. */
    public static final String API_KEY_ACTOR = "api-key:";

    /** Columns {@link #ROW} reads, in order. */
    static final String COLUMNS = "chain_id, source, seq, event_id, tenant_id, event_type, occurred_at, actor, api_key_id, "
            + "payload::text, hash, id";

    private final JdbcTemplate jdbc;
    private final JsonMapper json;
    private final TransactionTemplate tx;

    public AuditLog(JdbcTemplate jdbc, JsonMapper json, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.json = json;
        this.tx = tx;
    }

    /**
     * Appends an event whose actor follows from its source: for usage rows the event's {@code principal}
     * ({@code user:<sub>} for a Keycloak token, issue #10) when {@code data} has one, else
     * {@code api-key:<apiKeyId>} with {@code apiKeyId} taken from {@code data} when it is a map; null otherwise.
     *
     * @return true when the row was new, false when this event id was already in the log
     */
    public boolean append(String eventId, String tenantId, String source, String eventType, Instant occurredAt,
                          Object data) {
        return append(eventId, tenantId, source, eventType, occurredAt, actorOf(source, data), apiKeyIdOf(data), data);
    }

    private static String apiKeyIdOf(Object data) {
        return data instanceof Map<?, ?> map && map.get("apiKeyId") instanceof String id ? id : null;
    }

    private static String actorOf(String source, Object data) {
        String apiKeyId = apiKeyIdOf(data);
        String principal = data instanceof Map<?, ?> map && map.get("principal") instanceof String p ? p : null;
        return !SOURCE_USAGE.equals(source) ? null
                : principal != null ? principal : apiKeyId != null ? API_KEY_ACTOR + apiKeyId : null;
    }

    /**
     * One event to append with {@link #appendAll}.
     *
     * @param eventId    the event's id
     * @param tenantId   its tenant, or null (chain {@value #NO_TENANT_CHAIN})
     * @param occurredAt event time
     * @param data       its fields (a map; actor and API key follow from it as in {@link #append(String, String,
     *                   String, String, Instant, Object)}); a {@code TreeMap} of strings, integers, booleans
     *                   and nulls is hashed without a JSON tree ({@link CanonicalJson#ofFlat})
     */
    public record Entry(String eventId, String tenantId, Instant occurredAt, Object data) {
    }

    /**
     * Appends a batch of events of one source and type, in list order, in the caller's
     * transaction: the same rows and hashes as {@link #append(String, String, String, String, Instant, Object)}
     * called for each in turn, written with 4 statements whatever the batch size. The heads of the
     * batch's chains are created if missing and locked {@code FOR UPDATE} once, in chain order (so
     * two consumers sharing chains cannot deadlock, nor fork a chain); each chain's rows are hashed
     * in memory from its head (an id twice in the list is appended once); then all rows are
     * inserted at once and every head moved.
     *
     * <p>Unlike {@link #append(String, String, String, String, Instant, Object)}, an event id already
     * in the log is not skipped but fails the call (a unique violation, {@code DuplicateKeyException}),
     * which rolls back the caller's transaction: a skipped row would leave a gap in its chain. Callers
     * pass events that are new to them (the usage batch: the ids its ledger insert just returned) and
     * apply the rare rest one by one with {@code append}. (Checking the ids first cost a probe per
     * event, and a cached generic plan for {@code event_id = ANY(?)} can turn it into a sequential scan.)
     *
     * @return how many rows were appended
     */
    @SuppressWarnings("unchecked")
    public int appendAll(String source, String eventType, List<Entry> entries) {
        Map<String, List<Entry>> byChain = new TreeMap<>();
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (Entry e : entries) {
            String id = PgText.clean(e.eventId());
            if (ids.add(id)) {
                String tenant = PgText.clean(e.tenantId());
                byChain.computeIfAbsent(tenant == null ? NO_TENANT_CHAIN : tenant, k -> new ArrayList<>()).add(e);
            }
        }
        if (byChain.isEmpty()) {
            return 0;
        }
        String[] chains = byChain.keySet().toArray(String[]::new);
        jdbc.update(con -> {
            PreparedStatement ps = con.prepareStatement("""
                    INSERT INTO audit_chain_head (chain_id, source, seq, hash) SELECT c, ?, 0, ? FROM unnest(?::text[]) AS c
                    ORDER BY c ON CONFLICT DO NOTHING""");
            ps.setString(1, source);
            ps.setString(2, AuditRow.GENESIS);
            ps.setArray(3, con.createArrayOf("text", chains));
            return ps;
        });
        Map<String, Object[]> heads = new HashMap<>();
        jdbc.query(con -> {
            PreparedStatement ps = con.prepareStatement("""
                    SELECT chain_id, seq, hash FROM audit_chain_head WHERE source = ? AND chain_id = ANY(?::text[])
                    ORDER BY chain_id FOR UPDATE""");
            ps.setString(1, source);
            ps.setArray(2, con.createArrayOf("text", chains));
            return ps;
        }, rs -> {
            heads.put(rs.getString(1), new Object[] {rs.getLong(2), rs.getString(3)});
        });
        int n = ids.size();
        String[][] text = new String[8][n]; // event, tenant, occurred, payload, chain, actor, key, hash
        Long[] seqs = new Long[n];
        List<String> movedChains = new ArrayList<>();
        List<Long> movedSeqs = new ArrayList<>();
        List<String> movedHashes = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, List<Entry>> chain : byChain.entrySet()) {
            Object[] head = heads.get(chain.getKey());
            long seq = (Long) head[0];
            String previous = (String) head[1];
            for (Entry e : chain.getValue()) {
                String id = PgText.clean(e.eventId());
                Instant at = storedInstant(e.occurredAt());
                String atText = at.toString(); // hashed and stored: formatted once
                String tenant = PgText.clean(e.tenantId());
                String actor = PgText.clean(actorOf(source, e.data()));
                String apiKeyId = PgText.clean(apiKeyIdOf(e.data()));
                ++seq;
                // fast path: flat data in name order is its own canonical text (no tree, no re-serialization)
                String flat = e.data() instanceof java.util.SortedMap<?, ?> sorted
                        ? CanonicalJson.ofFlat((java.util.SortedMap<String, Object>) sorted) : null;
                String payloadText;
                if (flat != null) {
                    payloadText = flat;
                    previous = AuditRow.hashOf(CanonicalJson.row(actor, apiKeyId, flat, id, eventType, atText, seq,
                            source, tenant), previous);
                } else {
                    JsonNode payload = json.readTree(PgText.cleanJson(json.writeValueAsString(e.data())));
                    payloadText = payload.toString();
                    previous = new AuditRow(chain.getKey(), source, seq, id, tenant, eventType, at, actor, apiKeyId, payload)
                            .hash(previous);
                }
                text[0][i] = id;
                text[1][i] = tenant;
                text[2][i] = atText;
                text[3][i] = payloadText;
                text[4][i] = chain.getKey();
                text[5][i] = actor;
                text[6][i] = apiKeyId;
                text[7][i] = previous;
                seqs[i] = seq;
                i++;
            }
            if (seq != (Long) head[0]) {
                movedChains.add(chain.getKey());
                movedSeqs.add(seq);
                movedHashes.add(previous);
            }
        }
        jdbc.update(con -> {
            PreparedStatement ps = con.prepareStatement("""
                    INSERT INTO audit_log (event_id, tenant_id, source, event_type, occurred_at, payload, chain_id, seq,
                        actor, api_key_id, hash)
                    SELECT e, t, ?, ?, o::timestamptz, p::jsonb, c, s, a, k, h
                    FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[],
                        ?::text[]) AS u(e, t, o, p, c, s, a, k, h)""");
            ps.setString(1, source);
            ps.setString(2, eventType);
            int p = 3;
            for (int c = 0; c < 5; c++) {
                ps.setArray(p++, con.createArrayOf("text", text[c]));
            }
            ps.setArray(p++, con.createArrayOf("int8", seqs));
            for (int c = 5; c < 8; c++) {
                ps.setArray(p++, con.createArrayOf("text", text[c]));
            }
            return ps;
        });
        jdbc.update(con -> {
            PreparedStatement ps = con.prepareStatement("""
                    UPDATE audit_chain_head h SET seq = u.s, hash = u.h
                    FROM unnest(?::text[], ?::bigint[], ?::text[]) AS u(c, s, h) WHERE h.chain_id = u.c AND h.source = ?""");
            ps.setArray(1, con.createArrayOf("text", movedChains.toArray(String[]::new)));
            ps.setArray(2, con.createArrayOf("int8", movedSeqs.toArray(Long[]::new)));
            ps.setArray(3, con.createArrayOf("text", movedHashes.toArray(String[]::new)));
            ps.setString(4, source);
            return ps;
        });
        return n;
    }

    /**
     * Appends one event to its chain, in the caller's transaction (or a new one).
     *
     * @param actor    who caused it ({@code admin-token[:name]}, {@code api-key:<id>}), or null when unknown
     * @param apiKeyId the API key the event is about, or null
     * @param data     the event's fields (serialized as a JSON object; U+0000 becomes U+FFFD)
     * @return true when the row was new, false when this event id was already in the log
     */
    public boolean append(String eventId, String tenantId, String source, String eventType, Instant occurredAt,
                          String actor, String apiKeyId, Object data) {
        String tenant = PgText.clean(tenantId);
        String chainId = tenant == null ? NO_TENANT_CHAIN : tenant;
        JsonNode payload = json.readTree(PgText.cleanJson(json.writeValueAsString(data)));
        Instant at = storedInstant(occurredAt);
        return Boolean.TRUE.equals(tx.execute(status -> {
            jdbc.update("INSERT INTO audit_chain_head (chain_id, source, seq, hash) VALUES (?, ?, 0, ?) ON CONFLICT DO NOTHING",
                    chainId, source, AuditRow.GENESIS);
            Map<String, Object> head = jdbc.queryForMap(
                    "SELECT seq, hash FROM audit_chain_head WHERE chain_id = ? AND source = ? FOR UPDATE", chainId, source);
            String id = PgText.clean(eventId);
            if (Boolean.TRUE.equals(jdbc.queryForObject("SELECT exists(SELECT 1 FROM audit_log WHERE event_id = ?)",
                    Boolean.class, id))) {
                return false;
            }
            AuditRow row = new AuditRow(chainId, source, ((Number) head.get("seq")).longValue() + 1, id, tenant,
                    eventType, at, PgText.clean(actor), PgText.clean(apiKeyId), payload);
            String hash = row.hash((String) head.get("hash"));
            int inserted = jdbc.update("""
                    INSERT INTO audit_log (event_id, tenant_id, source, event_type, occurred_at, payload, chain_id, seq,
                        actor, api_key_id, hash)
                    VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING""",
                    row.eventId(), row.tenantId(), source, eventType, at.atOffset(ZoneOffset.UTC), payload.toString(),
                    chainId, row.seq(), row.actor(), row.apiKeyId(), hash);
            if (inserted == 0) {
                return false;
            }
            jdbc.update("UPDATE audit_chain_head SET seq = ?, hash = ? WHERE chain_id = ? AND source = ?",
                    row.seq(), hash, chainId, source);
            return true;
        }));
    }

    /**
     * The text to store for a prompt or completion in a tenant's audit data: null unless the tenant
     * opted in ({@code PUT /admin/v1/tenants/{id}/audit-content}, read model {@code audit_content_policy}),
     * and then masked by {@link SecretMasker}. (Usage events carry text already masked by the
     * edge for tenants that opted in; the usage projection stores it as received, masked again.)
     *
     * @return the masked text, or null when the tenant did not opt in (or {@code text} is null)
     */
    public String contentToStore(String tenantId, String text) {
        if (text == null || tenantId == null) {
            return null;
        }
        Boolean optedIn = jdbc.query("SELECT store_prompt_content FROM audit_content_policy WHERE tenant_id = ?",
                rs -> rs.next() ? rs.getBoolean(1) : Boolean.FALSE, tenantId);
        return Boolean.TRUE.equals(optedIn) ? SecretMasker.mask(text) : null;
    }

    /** Removes every row and chain head of one source (replay from zero). */
    void deleteSource(String source) {
        tx.executeWithoutResult(status -> {
            jdbc.update("DELETE FROM audit_log WHERE source = ?", source);
            jdbc.update("DELETE FROM audit_chain_head WHERE source = ?", source);
        });
    }

    /** @return the instant as PostgreSQL stores it: microseconds, clamped to {@link PgText#LATEST} */
    static Instant storedInstant(Instant instant) {
        Instant micros = instant.truncatedTo(ChronoUnit.MICROS);
        return micros.isAfter(PgText.LATEST) ? PgText.LATEST : micros;
    }

    /** Reads a row of {@link #COLUMNS} (the stored hash and id are not part of {@link AuditRow}). */
    RowMapper<AuditRow> rowMapper() {
        return (rs, i) -> new AuditRow(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getObject(7, OffsetDateTime.class).toInstant(), rs.getString(8), rs.getString(9),
                json.readTree(rs.getString(10)));
    }

    /**
     * Rows written before V6 (no hash) are chained once at start-up, in their V6 sequence order,
     * after the chain's hashed rows if any (there are none: V6 numbered them first).
     */
    @Override
    public void afterSingletonsInstantiated() {
        List<Map<String, Object>> chains = jdbc.queryForList(
                "SELECT DISTINCT chain_id, source FROM audit_log WHERE hash IS NULL");
        for (Map<String, Object> chain : chains) {
            String chainId = (String) chain.get("chain_id");
            String source = (String) chain.get("source");
            tx.executeWithoutResult(status -> {
                String[] previous = {AuditRow.GENESIS};
                long[] last = {0};
                jdbc.query("SELECT " + COLUMNS + " FROM audit_log WHERE chain_id = ? AND source = ? ORDER BY seq",
                        rs -> {
                            AuditRow row = rowMapper().mapRow(rs, 0);
                            String stored = rs.getString(11);
                            String hash = stored != null ? stored : row.hash(previous[0]);
                            if (stored == null) {
                                jdbc.update("UPDATE audit_log SET hash = ? WHERE id = ?", hash, rs.getLong(12));
                            }
                            previous[0] = hash;
                            last[0] = row.seq();
                        }, chainId, source);
                jdbc.update("""
                        INSERT INTO audit_chain_head (chain_id, source, seq, hash) VALUES (?, ?, ?, ?)
                        ON CONFLICT (chain_id, source) DO UPDATE SET seq = excluded.seq, hash = excluded.hash""",
                        chainId, source, last[0], previous[0]);
            });
        }
    }
}
