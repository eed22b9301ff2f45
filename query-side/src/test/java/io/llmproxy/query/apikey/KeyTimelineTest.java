package io.llmproxy.query.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.query.apikey.KeyTimeline.Change;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** A key's state at concrete instants, folded from its tenant's admin events. */
class KeyTimelineTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String T = "t1";
    private static final Instant T0 = Instant.parse("2026-11-01T09:00:00Z");

    private static Change change(long seq, String type, long secondsAfterT0, String data) {
        return new Change(seq, "e" + seq, type, T0.plusSeconds(secondsAfterT0), "admin-token", JSON.readTree(data));
    }

    private static final List<Change> EVENTS = List.of(
            change(1, "QuotaPolicySet", 0, """
                    {"tenantId":"t1","scope":"TENANT","subjectId":"t1","limits":{"requestsPerMinute":100,"tokensPerDay":50000,
                     "monthlySpendLimitUsd":"250.00","whenQuotaStoreDown":"fail-open"}}"""),
            change(2, "ApiKeyIssued", 60, """
                    {"tenantId":"t1","apiKeyId":"k1","name":"ci","displayPrefix":"llmp_aaaaaa","ownerUserId":"u1",
                     "allowedModels":["gpt-4o-mini"],"expiresAt":"2026-11-30T00:00:00Z"}"""),
            change(3, "ApiKeyIssued", 61, """
                    {"tenantId":"t1","apiKeyId":"k2","name":"other","displayPrefix":"llmp_bbbbbb","ownerUserId":null,
                     "allowedModels":null,"expiresAt":null}"""),
            change(4, "QuotaPolicySet", 120, """
                    {"tenantId":"t1","scope":"API_KEY","subjectId":"k1","limits":{"requestsPerMinute":10,"tokensPerDay":null,
                     "monthlySpendLimitUsd":"300"}}"""),
            change(5, "QuotaPolicySet", 180, """
                    {"tenantId":"t1","scope":"USER","subjectId":"u1","limits":{"requestsPerMinute":20,"tokensPerDay":20000,
                     "maxConcurrentRequests":2,"monthlySpendLimitUsd":"99.5"}}"""),
            change(6, "QuotaPolicySet", 181, """
                    {"tenantId":"t1","scope":"USER","subjectId":"u9","limits":{"requestsPerMinute":1}}"""),
            change(7, "ApiKeyRotated", 240, """
                    {"tenantId":"t1","apiKeyId":"k1","displayPrefix":"llmp_cccccc","previousValidUntil":"2026-11-01T10:04:00Z"}"""),
            change(8, "TenantSuspended", 300, "{\"tenantId\":\"t1\"}"),
            change(9, "TenantReactivated", 360, "{\"tenantId\":\"t1\"}"),
            change(10, "ApiKeyRevoked", 420, "{\"tenantId\":\"t1\",\"apiKeyId\":\"k1\"}"),
            change(11, "UserRemoved", 420, "{\"tenantId\":\"t1\",\"userId\":\"u1\"}"));

    private final KeyTimeline k1 = new KeyTimeline(T, "k1", EVENTS);

    @Test
    void historyListsEveryChangeOfTheKeyFromItsIssuance() {
        assertThat(k1.exists()).isTrue();
        assertThat(new KeyTimeline(T, "nope", EVENTS).exists()).isFalse();
        assertThat(k1.history()).extracting(Change::seq).containsExactly(2L, 4L, 5L, 7L, 8L, 9L, 10L, 11L);
        assertThat(new KeyTimeline(T, "k2", EVENTS).history()).extracting(Change::seq).containsExactly(3L, 8L, 9L);
    }

    @Test
    void beforeIssuanceTheKeyDidNotExist() {
        KeyTimeline.AsOf s = k1.asOf(Instant.parse("2026-11-01T09:00:59Z"));
        assertThat(s.status()).isEqualTo("NOT_ISSUED");
        assertThat(s.usable()).isFalse();
        assertThat(s.lastChange()).isNull();
        assertThat(s.quota().get("tenant").toString()).contains("\"requestsPerMinute\":100");
    }

    @Test
    void atIssuanceOnlyTheTenantPolicyApplies() {
        KeyTimeline.AsOf s = k1.asOf(Instant.parse("2026-11-01T09:01:00Z"));
        assertThat(s.status()).isEqualTo("ACTIVE");
        assertThat(s.usable()).isTrue();
        assertThat(s.displayPrefix()).isEqualTo("llmp_aaaaaa");
        assertThat(s.allowedModels()).containsExactly("gpt-4o-mini");
        assertThat(s.expiresAt()).isEqualTo(Instant.parse("2026-11-30T00:00:00Z"));
        assertThat(s.quota().get("user")).isNull();
        assertThat(s.quota().get("apiKey")).isNull();
        assertThat(s.quota().get("effective")).isEqualTo(effective(100L, 50000L, null, "250.00", "fail-open"));
        assertThat(s.lastChange().seq()).isEqualTo(2);
    }

    @Test
    void theTightestOfTenantUserAndKeyAppliesPerField() {
        KeyTimeline.AsOf s = k1.asOf(Instant.parse("2026-11-01T09:03:30Z"));
        assertThat(s.quota().get("effective")).isEqualTo(effective(10L, 20000L, 2L, "99.5", "fail-open"));
        assertThat(s.ownerUserId()).isEqualTo("u1");
        assertThat(s.lastChange().seq()).isEqualTo(5);
    }

    @Test
    void rotationSuspensionRevocationAndExpiryAtTheirInstants() {
        KeyTimeline.AsOf rotated = k1.asOf(Instant.parse("2026-11-01T09:04:00Z"));
        assertThat(rotated.displayPrefix()).isEqualTo("llmp_cccccc");
        assertThat(rotated.previousKeyValidUntil()).isEqualTo(Instant.parse("2026-11-01T10:04:00Z"));
        KeyTimeline.AsOf suspended = k1.asOf(Instant.parse("2026-11-01T09:05:30Z"));
        assertThat(suspended.status()).isEqualTo("ACTIVE");
        assertThat(suspended.tenantStatus()).isEqualTo("SUSPENDED");
        assertThat(suspended.usable()).isFalse();
        assertThat(k1.asOf(Instant.parse("2026-11-01T09:06:00Z")).usable()).isTrue();
        KeyTimeline.AsOf revoked = k1.asOf(Instant.parse("2026-11-01T09:07:00Z"));
        assertThat(revoked.status()).isEqualTo("REVOKED");
        assertThat(revoked.usable()).isFalse();
        assertThat(revoked.lastChange().eventType()).isEqualTo("UserRemoved");
        KeyTimeline k2 = new KeyTimeline(T, "k2", EVENTS);
        assertThat(k2.asOf(Instant.parse("2026-12-01T00:00:00Z")).status()).isEqualTo("ACTIVE");
        List<Change> withExpiry = List.of(EVENTS.get(1));
        assertThat(new KeyTimeline(T, "k1", withExpiry).asOf(Instant.parse("2026-11-29T23:59:59Z")).status()).isEqualTo("ACTIVE");
        assertThat(new KeyTimeline(T, "k1", withExpiry).asOf(Instant.parse("2026-11-30T00:00:00Z")).status()).isEqualTo("EXPIRED");
    }

    private static Map<String, Object> effective(Long rpm, Long tokensPerDay, Long concurrent, String spend, String down) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("requestsPerMinute", rpm);
        m.put("requestsPerDay", null);
        m.put("tokensPerMinute", null);
        m.put("tokensPerDay", tokensPerDay);
        m.put("tokensPerMonth", null);
        m.put("maxConcurrentRequests", concurrent);
        m.put("monthlySpendLimitUsd", spend);
        m.put("whenQuotaStoreDown", down);
        return m;
    }
}
