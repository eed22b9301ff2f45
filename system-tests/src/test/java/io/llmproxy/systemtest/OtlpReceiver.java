package io.llmproxy.systemtest;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * An in-process OTLP/HTTP trace receiver ({@code POST /v1/traces}, protobuf {@code ExportTraceServiceRequest},
 * gzip or not, answering an empty {@code ExportTraceServiceResponse}), as OpenTelemetry's exporters send to
 * a collector (https://opentelemetry.io/docs/specs/otlp/#otlphttp). Keeps every span it received.
 */
final class OtlpReceiver implements AutoCloseable {

    /** One received span, flattened: ids in lowercase hex, attribute values as strings (arrays joined by ','). */
    record ReceivedSpan(String service, String traceId, String spanId, String parentSpanId, String name, int kind,
                        Map<String, String> attributes, int statusCode) {
    }

    private final HttpServer server;
    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();

    OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/traces", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                boolean gzip = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"));
                byte[] body = (gzip ? new GZIPInputStream(in) : in).readAllBytes();
                accept(ExportTraceServiceRequest.parseFrom(body));
                exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, 0);
            } catch (IOException | RuntimeException e) {
                exchange.sendResponseHeaders(400, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    /** @return the endpoint to export to, e.g. {@code http://127.0.0.1:41234/v1/traces} */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
    }

    List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    /** @return the spans of trace {@code traceId} */
    List<ReceivedSpan> trace(String traceId) {
        return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
    }

    private void accept(ExportTraceServiceRequest request) {
        HexFormat hex = HexFormat.of();
        for (ResourceSpans resource : request.getResourceSpansList()) {
            String service = attributes(resource.getResource().getAttributesList()).get("service.name");
            for (ScopeSpans scope : resource.getScopeSpansList()) {
                for (io.opentelemetry.proto.trace.v1.Span s : scope.getSpansList()) {
                    spans.add(new ReceivedSpan(service, hex.formatHex(s.getTraceId().toByteArray()),
                            hex.formatHex(s.getSpanId().toByteArray()), hex.formatHex(s.getParentSpanId().toByteArray()),
                            s.getName(), s.getKindValue(), attributes(s.getAttributesList()), s.getStatus().getCodeValue()));
                }
            }
        }
    }

    private static Map<String, String> attributes(List<KeyValue> list) {
        Map<String, String> out = new LinkedHashMap<>();
        for (KeyValue kv : list) {
            out.put(kv.getKey(), text(kv.getValue()));
        }
        return out;
    }

    private static String text(AnyValue v) {
        return switch (v.getValueCase()) {
            case STRING_VALUE -> v.getStringValue();
            case INT_VALUE -> Long.toString(v.getIntValue());
            case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
            case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
            case ARRAY_VALUE -> {
                List<String> items = new ArrayList<>();
                v.getArrayValue().getValuesList().forEach(i -> items.add(text(i)));
                yield String.join(",", items);
            }
            default -> v.toString();
        };
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
