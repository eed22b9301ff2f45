package io.llmproxy.edge.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.testsupport.ObservabilityRules;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The rules and dashboard of {@code infra/observability/}: each alert of issue #12 is there with a severity and
 * a summary, the rules and panels read exactly the series listed here (each of which {@link GatewayMetricsTest}
 * and query-side's {@code QueryMetricsTest} find in a scrape after a short load), every recorded name a panel
 * or alert reads is defined, and, when {@code promtool} is on the PATH (Debian package {@code prometheus}),
 * {@code promtool check rules} accepts the files.
 */
class ObservabilityRulesTest {

    @Test
    void alertsCoverTheIssuesSignalsWithSeverityAndSummary() {
        Set<String> alerts = new TreeSet<>();
        for (Map<String, Object> rule : ObservabilityRules.rules()) {
            assertThat(rule.get("expr")).as(rule.toString()).isInstanceOf(String.class);
            if (rule.get("alert") != null) {
                alerts.add((String) rule.get("alert"));
                assertThat(((Map<?, ?>) rule.get("labels")).get("severity")).as(rule.toString()).isIn("page", "ticket");
                assertThat(((Map<?, ?>) rule.get("annotations")).get("summary")).as(rule.toString()).isNotNull();
            }
        }
        assertThat(alerts).containsExactlyInAnyOrder("LlmproxyEdgeErrorRateHigh", "LlmproxyEdgeAddedLatencyHigh",
                "LlmproxyUsageConsumerLagHigh", "LlmproxyProjectionLagHigh", "LlmproxyUsageJournalBacklog",
                "LlmproxyUsagePublishFailing", "LlmproxyBreakerOpen", "LlmproxyAuditVerifyFailed", "LlmproxyServiceDown");
        assertThat(ObservabilityRules.recorded()).hasSize(12);
    }

    @Test
    void rulesAndDashboardReadTheseSeriesAndOnlyDefinedRecordings() {
        assertThat(ObservabilityRules.edgeSeries()).containsExactlyInAnyOrder("llmproxy_edge_calls_total",
                "llmproxy_edge_added_duration_seconds_bucket", "gen_ai_client_operation_duration_seconds_bucket",
                "gen_ai_server_time_to_first_token_seconds_bucket", "gen_ai_server_time_per_output_token_seconds_bucket",
                "gen_ai_client_token_usage_sum", "llmproxy_edge_quota_refusals_total", "llmproxy_edge_attempts_sum",
                "llmproxy_edge_attempts_count", "llmproxy_usage_publish_duration_seconds_bucket",
                "llmproxy_usage_buffer_oldest_age_seconds", "llmproxy_usage_publish_failures_total",
                "llmproxy_edge_breaker_state", "llmproxy_usage_buffer_events", "llmproxy_edge_snapshot_age_seconds");
        assertThat(ObservabilityRules.querySideSeries()).containsExactlyInAnyOrder(
                "kafka_consumer_fetch_manager_records_lag", "llmproxy_billing_cost_usd_micros_total",
                "llmproxy_projection_lag", "llmproxy_audit_verify_ok");
        List<String> exprs = new ArrayList<>(ObservabilityRules.dashboardExprs());
        assertThat(exprs).hasSize(18);
        ObservabilityRules.rules().forEach(r -> exprs.add((String) r.get("expr")));
        for (String expr : exprs) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("llmproxy:[a-z0-9_:]+").matcher(expr);
            while (m.find()) {
                assertThat(ObservabilityRules.recorded()).as(expr).contains(m.group());
            }
        }
    }

    @Test
    void promtoolAcceptsTheRulesWhenInstalled() throws Exception {
        String path = System.getenv().getOrDefault("PATH", "");
        boolean installed = java.util.Arrays.stream(path.split(java.io.File.pathSeparator))
                .anyMatch(dir -> Path.of(dir, "promtool").toFile().canExecute());
        if (!installed) {
            return; // the checks above hold without it; README "Observability" says how to install it
        }
        Path rules = ObservabilityRules.dir().resolve("rules");
        List<String> command = new ArrayList<>(List.of("promtool", "check", "rules"));
        ObservabilityRules.FILES.forEach(f -> command.add(rules.resolve(f).toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("SUCCESS: 12 rules found", "SUCCESS: 9 rules found");
    }
}
