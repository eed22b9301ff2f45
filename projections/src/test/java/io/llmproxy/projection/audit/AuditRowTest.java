package io.llmproxy.projection.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The canonical JSON and the chained hash, against values computed independently
 * (Python: {@code json.dumps(row, sort_keys=True, separators=(',',':'), ensure_ascii=False)}
 * and {@code hashlib.sha256((canonical + previous).encode()).hexdigest()}).
 */
class AuditRowTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JsonNode DATA = JSON.readTree("""
            { "uni": "é\\"\\n", "tenantId": "t1", "apiKeyId": "k1", "name": "ci",
              "allowedModels": ["gpt-4o", "a"], "expiresAt": null, "n": 42, "ok": true }""");
    private static final AuditRow ROW = new AuditRow("t1", "admin", 1, "e1", "t1", "ApiKeyIssued",
            Instant.parse("2026-11-29T10:00:00.123456Z"), "admin-token:alice", "k1", DATA);

    @Test
    void canonicalJsonSortsKeysKeepsNullsAndHasNoWhitespace() {
        assertThat(ROW.canonicalJson()).isEqualTo("{\"actor\":\"admin-token:alice\",\"apiKeyId\":\"k1\",\"data\":{"
                + "\"allowedModels\":[\"gpt-4o\",\"a\"],\"apiKeyId\":\"k1\",\"expiresAt\":null,\"n\":42,\"name\":\"ci\","
                + "\"ok\":true,\"tenantId\":\"t1\",\"uni\":\"é\\\"\\n\"},\"eventId\":\"e1\",\"eventType\":\"ApiKeyIssued\","
                + "\"occurredAt\":\"2026-11-29T10:00:00.123456Z\",\"seq\":1,\"source\":\"admin\",\"tenantId\":\"t1\"}");
    }

    @Test
    void hashChainsOnThePreviousHash() {
        String first = ROW.hash(AuditRow.GENESIS);
        assertThat(first).isEqualTo("2d0be2ff0c4fd39c9b568c4878dc82df808bbb5741c6bb7c178d5b0ae0c5530c");
        AuditRow second = new AuditRow("t1", "admin", 2, "e2", "t1", "ApiKeyIssued",
                Instant.parse("2026-11-29T10:00:00.123456Z"), "admin-token:alice", "k1", DATA);
        assertThat(second.hash(first)).isEqualTo("5942690106be8c0e8a93542b4ecdd7c186bbeccd5c8c16ffbfbff007fea9f836");
        assertThat(second.hash(AuditRow.GENESIS)).isNotEqualTo(second.hash(first));
    }

    @Test
    void keyOrderOfTheInputDoesNotChangeTheHash() {
        JsonNode reordered = JSON.readTree("""
                {"ok":true,"n":42,"expiresAt":null,"allowedModels":["gpt-4o","a"],"name":"ci","apiKeyId":"k1",
                 "tenantId":"t1","uni":"é\\"\\n"}""");
        AuditRow same = new AuditRow("t1", "admin", 1, "e1", "t1", "ApiKeyIssued",
                Instant.parse("2026-11-29T10:00:00.123456Z"), "admin-token:alice", "k1", reordered);
        assertThat(same.hash(AuditRow.GENESIS)).isEqualTo(ROW.hash(AuditRow.GENESIS));
        assertThat(CanonicalJson.of(JSON.readTree("{\"b\":{\"d\":1,\"c\":[{\"z\":null,\"y\":false}]},\"a\":\"\\u0001\"}")))
                .isEqualTo("{\"a\":\"\\u0001\",\"b\":{\"c\":[{\"y\":false,\"z\":null}],\"d\":1}}");
    }

    @Test
    void storedInstantsAreMicrosecondsClampedToYear9999() {
        assertThat(AuditLog.storedInstant(Instant.parse("2026-11-29T10:00:00.123456789Z")))
                .isEqualTo(Instant.parse("2026-11-29T10:00:00.123456Z"));
        assertThat(AuditLog.storedInstant(Instant.parse("+20000-01-01T00:00:00Z")))
                .isEqualTo(Instant.parse("9999-12-31T23:59:59Z"));
    }

    @Test
    void aFlatMapInNameOrderIsHashedAsItsJsonTreeWithoutOne() {
        java.util.TreeMap<String, Object> data = new java.util.TreeMap<>();
        data.put("apiKeyId", "k1");
        data.put("promptTokens", 4_000_000_000L);
        data.put("httpStatus", 200);
        data.put("stream", true);
        data.put("refusalReason", null);
        data.put("model", "é\"\n\u0001\\ \uD83D\uDE00");
        String flat = CanonicalJson.ofFlat(data);
        JsonNode tree = JSON.readTree(JSON.writeValueAsString(data));
        assertThat(flat).isEqualTo(CanonicalJson.of(tree));
        Instant at = Instant.parse("2026-11-29T10:00:00.123456Z");
        for (String tenant : java.util.Arrays.asList("t1", null)) {
            AuditRow row = new AuditRow(tenant == null ? "*" : tenant, "usage", 3, "e3", tenant, "UsageRecorded", at,
                    tenant == null ? null : "api-key:k1", "k1", tree);
            String canonical = CanonicalJson.row(row.actor(), "k1", flat, "e3", "UsageRecorded", at.toString(), 3, "usage",
                    tenant);
            assertThat(canonical).isEqualTo(row.canonicalJson());
            assertThat(AuditRow.hashOf(canonical, AuditRow.GENESIS)).isEqualTo(row.hash(AuditRow.GENESIS));
        }
        // U+0000 (stored as U+FFFD by the tree path) and values that are not flat take the tree path
        data.put("model", "a\u0000b");
        assertThat(CanonicalJson.ofFlat(data)).isNull();
        data.put("model", java.util.List.of("a"));
        assertThat(CanonicalJson.ofFlat(data)).isNull();
    }
}
