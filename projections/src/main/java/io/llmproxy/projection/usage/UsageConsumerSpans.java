package io.llmproxy.projection.usage;

import io.llmproxy.kernel.usage.UsageRecorded;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The usage consumer's spans (issue #12): one CONSUMER span per traced usage event, named
 * {@code process llmproxy.usage} after OpenTelemetry's messaging conventions, child of the edge call whose
 * W3C {@code traceparent} the Kafka record carries in its headers (so billing and audit join the call's
 * trace). Attributes: {@code messaging.system} {@code kafka}, {@code messaging.operation.type}
 * {@code process}, {@code messaging.destination.name}, {@code messaging.destination.partition.id},
 * {@code messaging.kafka.offset}, {@code messaging.batch.message_count}. A record without a
 * {@code traceparent} (sent by an edge without tracing) gets no span. The spans end when the batch's
 * transaction has committed (or failed: status ERROR).
 */
final class UsageConsumerSpans {

    private static final TextMapGetter<ConsumerRecord<String, String>> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(ConsumerRecord<String, String> record) {
            List<String> keys = new ArrayList<>();
            for (Header h : record.headers()) {
                keys.add(h.key());
            }
            return keys;
        }

        @Override
        public String get(ConsumerRecord<String, String> record, String key) {
            Header h = record == null ? null : record.headers().lastHeader(key);
            return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.US_ASCII);
        }
    };

    private final Tracer tracer;
    private final TextMapPropagator propagator;

    UsageConsumerSpans(OpenTelemetry otel) {
        this.tracer = otel.getTracer("io.llmproxy.projection");
        this.propagator = otel.getPropagators().getTextMapPropagator();
    }

    /** @return the spans of the batch's traced records, started now */
    Batch start(List<ConsumerRecord<String, String>> records) {
        List<Span> spans = new ArrayList<>(0);
        for (ConsumerRecord<String, String> record : records) {
            if (record.headers().lastHeader("traceparent") == null) {
                continue;
            }
            Context parent = propagator.extract(Context.root(), record, HEADERS);
            spans.add(tracer.spanBuilder("process " + UsageRecorded.TOPIC).setParent(parent)
                    .setSpanKind(SpanKind.CONSUMER)
                    .setAttribute("messaging.system", "kafka")
                    .setAttribute("messaging.operation.type", "process")
                    .setAttribute("messaging.destination.name", record.topic())
                    .setAttribute("messaging.destination.partition.id", Integer.toString(record.partition()))
                    .setAttribute("messaging.kafka.offset", record.offset())
                    .setAttribute("messaging.batch.message_count", (long) records.size())
                    .startSpan());
        }
        return new Batch(spans);
    }

    /** The spans of one batch. */
    record Batch(List<Span> spans) {

        /** Ends every span; with status ERROR and {@code error.type} when {@code failure} is not null. */
        void end(RuntimeException failure) {
            for (Span span : spans) {
                if (failure != null) {
                    span.setAttribute("error.type", failure.getClass().getName());
                    span.setStatus(StatusCode.ERROR);
                }
                span.end();
            }
        }
    }
}
