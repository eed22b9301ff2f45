package io.llmproxy.edge.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.edge.quota.QuotaCheck.Kind;
import io.llmproxy.kernel.quota.QuotaLimits;
import io.llmproxy.kernel.quota.QuotaScope;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuotaPlanTest {

    @Test
    void everyLimitOfEveryLevelBecomesACounterKeyedByItsUtcWindow() {
        Instant now = Instant.parse("2026-11-30T23:59:30Z");
        List<QuotaCheck> checks = QuotaPlan.checks("t1", List.of(
                new QuotaPlan.Level(QuotaScope.TENANT, "t1", new QuotaLimits(60L, 1000L, 10_000L, null, 1_000_000L, 5L, null)),
                new QuotaPlan.Level(QuotaScope.USER, null, null),
                new QuotaPlan.Level(QuotaScope.API_KEY, "k1", new QuotaLimits(null, null, 500L, null, null, null, null))),
                now, 120);
        assertThat(checks).extracting(QuotaCheck::key).containsExactly(
                "llmq:{t1}:TENANT:t1:rpm:202611302359",
                "llmq:{t1}:TENANT:t1:rpd:20261130",
                "llmq:{t1}:TENANT:t1:tpm:202611302359",
                "llmq:{t1}:TENANT:t1:tpmo:202611",
                "llmq:{t1}:TENANT:t1:lease",
                "llmq:{t1}:API_KEY:k1:tpm:202611302359");
        assertThat(checks).extracting(QuotaCheck::amount).containsExactly(1L, 1L, 120L, 120L, 1L, 120L);
        QuotaCheck monthly = checks.get(3);
        assertThat(monthly.kind()).isEqualTo(Kind.TOKENS_PER_MONTH);
        assertThat(monthly.windowEnd()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(monthly.ttlSeconds()).isEqualTo(30 + QuotaPlan.TTL_MARGIN_SECONDS);
        assertThat(QuotaPlan.retryAfterSeconds(monthly, now)).isEqualTo(30);
        assertThat(QuotaPlan.retryAfterSeconds(checks.get(4), now)).isEqualTo(1);
    }

    @Test
    void noPolicyMeansNoCounterAndNoRedisCall() {
        assertThat(QuotaPlan.checks("t1", List.of(new QuotaPlan.Level(QuotaScope.TENANT, "t1", null)), Instant.now(), 5))
                .isEmpty();
    }

    @Test
    void resetHeadersUseOpenAisDurationFormat() {
        assertThat(QuotaPlan.resetFormat(Duration.ofMillis(200))).isEqualTo("1s");
        assertThat(QuotaPlan.resetFormat(Duration.ofSeconds(20))).isEqualTo("20s");
        assertThat(QuotaPlan.resetFormat(Duration.ofSeconds(360))).isEqualTo("6m0s");
        assertThat(QuotaPlan.resetFormat(Duration.ofSeconds(5 * 3600 + 182))).isEqualTo("5h3m2s");
    }
}
