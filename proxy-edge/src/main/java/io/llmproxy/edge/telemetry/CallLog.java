package io.llmproxy.edge.telemetry;

import io.llmproxy.edge.call.Call;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.opentelemetry.api.trace.SpanContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * One INFO line per finished call (issue #12), when {@code llmproxy.edge.call-log=true} (default false:
 * the usage ledger already records every call). With structured logging (ECS JSON, the default) its
 * key-value pairs become fields: {@code trace.id}, {@code span.id}, {@code llmproxy.client.endpoint},
 * {@code gen_ai.request.model}, {@code gen_ai.provider.name}, {@code http.response.status_code},
 * {@code gen_ai.usage.input_tokens}, {@code gen_ai.usage.output_tokens}, {@code llmproxy.latency_ms},
 * {@code llmproxy.tenant.id}, {@code llmproxy.principal}, {@code llmproxy.refusal.reason}. Never a key,
 * a token, a provider credential, nor prompt or completion text. Logger {@code io.llmproxy.edge.calls}.
 */
@Component
public class CallLog {

    private static final Logger LOG = LoggerFactory.getLogger("io.llmproxy.edge.calls");

    private final boolean enabled;

    public CallLog(@Value("${llmproxy.edge.call-log:false}") boolean enabled) {
        this.enabled = enabled;
    }

    private static LoggingEventBuilder present(LoggingEventBuilder line, String key, String value) {
        return value == null ? line : line.addKeyValue(key, value);
    }

    /** Logs the finished call {@code e} (nothing when disabled). */
    public void record(Call call, UsageRecorded e) {
        if (!enabled || !LOG.isInfoEnabled()) {
            return;
        }
        LoggingEventBuilder line = LOG.atInfo();
        SpanContext context = call.span().getSpanContext();
        if (context.isValid()) {
            line = line.addKeyValue("trace.id", context.getTraceId()).addKeyValue("span.id", context.getSpanId());
        }
        line = present(line, "llmproxy.client.endpoint", e.endpoint());
        line = present(line, "gen_ai.request.model", e.model());
        line = present(line, "llmproxy.provider.id", e.providerId());
        line = present(line, "llmproxy.tenant.id", e.tenantId());
        line = present(line, "llmproxy.principal", e.principal());
        line = present(line, "llmproxy.refusal.reason", e.refusalReason());
        line.addKeyValue("http.response.status_code", e.httpStatus())
                .addKeyValue("gen_ai.usage.input_tokens", e.promptTokens())
                .addKeyValue("gen_ai.usage.output_tokens", e.completionTokens())
                .addKeyValue("llmproxy.latency_ms", e.latencyMs())
                .log("{} {} {} {}", e.endpoint(), e.model(), e.httpStatus(), e.outcome());
    }
}
