package io.llmproxy.query.audit;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Bounds of the audit reads ({@code GET /audit/v1/events}) per query-side instance, so that a few
 * heavy or slow clients cannot exhaust the heap or the connection pool (attacker pass of 2026-12-07).
 *
 * @param pageMaxBytes         {@code llmproxy.audit.page-max-bytes}: a JSON page stops adding rows once
 *                             the rows before hold this many bytes of event data ({@code payload::text});
 *                             always at least one row
 * @param maxConcurrentExports {@code llmproxy.audit.max-concurrent-exports}: CSV/NDJSON exports running at once
 * @param maxConcurrentPages   {@code llmproxy.audit.max-concurrent-pages}: JSON pages being built at once
 * @param exportMaxDuration    {@code llmproxy.audit.export-max-duration}: one export's total time; when it
 *                             is over, the stream is cut and its database connection returned
 */
@ConfigurationProperties("llmproxy.audit")
public record AuditReadProperties(@DefaultValue("2MB") DataSize pageMaxBytes,
                                  @DefaultValue("2") int maxConcurrentExports,
                                  @DefaultValue("4") int maxConcurrentPages,
                                  @DefaultValue("10m") Duration exportMaxDuration) {

    public AuditReadProperties {
        if (pageMaxBytes.toBytes() < 1 || maxConcurrentExports < 1 || maxConcurrentPages < 1
                || exportMaxDuration.isNegative() || exportMaxDuration.isZero()) {
            throw new IllegalArgumentException("llmproxy.audit.* must be positive: page-max-bytes=" + pageMaxBytes
                    + ", max-concurrent-exports=" + maxConcurrentExports + ", max-concurrent-pages=" + maxConcurrentPages
                    + ", export-max-duration=" + exportMaxDuration);
        }
    }
}
