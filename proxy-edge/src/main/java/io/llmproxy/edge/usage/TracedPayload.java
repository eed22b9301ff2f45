package io.llmproxy.edge.usage;

import io.llmproxy.kernel.usage.UsageRecorded;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.clients.producer.ProducerRecord;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * A usage event's journal record: its JSON, preceded, when the call was traced, by the call's W3C
 * {@code traceparent} and a newline ({@code 00-<32 hex>-<16 hex>-<2 hex>\n{...}}). A record that starts
 * with {@code {} (every record written before tracing existed) has no trace context. The sender puts the
 * {@code traceparent} in the Kafka record's headers and the JSON alone in its value, so the usage topic's
 * values never change shape.
 *
 * @param traceparent the W3C {@code traceparent}, or null
 * @param json        the usage event's JSON (UTF-8)
 */
record TracedPayload(String traceparent, byte[] json) {

    /** @return the journal record: {@code json}, or {@code traceparent + "\n" + json} */
    static byte[] encode(String traceparent, byte[] json) {
        if (traceparent == null || traceparent.isEmpty() || traceparent.indexOf('\n') >= 0 || traceparent.startsWith("{")) {
            return json;
        }
        byte[] prefix = (traceparent + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(prefix, prefix.length + json.length);
        System.arraycopy(json, 0, out, prefix.length, json.length);
        return out;
    }

    /** @return the record split into its trace context (null when none) and its JSON */
    static TracedPayload decode(byte[] record) {
        if (record.length == 0 || record[0] == '{') {
            return new TracedPayload(null, record);
        }
        for (int i = 0; i < Math.min(record.length, 128); i++) {
            if (record[i] == '\n') {
                return new TracedPayload(new String(record, 0, i, StandardCharsets.US_ASCII),
                        Arrays.copyOfRange(record, i + 1, record.length));
            }
        }
        return new TracedPayload(null, record);
    }

    /**
     * @return the Kafka record of this event: value its JSON, key its {@code tenantId} (null when it has
     *         none or the JSON does not read), header {@code traceparent} when the call was traced
     */
    ProducerRecord<String, String> record(JsonMapper mapper) {
        String value = new String(json, StandardCharsets.UTF_8);
        ProducerRecord<String, String> record = new ProducerRecord<>(UsageRecorded.TOPIC, tenantId(mapper, json), value);
        if (traceparent != null) {
            // W3C trace context, so that the consumer's span joins the call's trace
            record.headers().add("traceparent", traceparent.getBytes(StandardCharsets.US_ASCII));
        }
        return record;
    }

    /**
     * The top-level {@code tenantId} of a usage event's JSON, read with a streaming parser that stops there
     * (issue #16: the sender no longer builds a tree of every event; {@code tenantId} is the third property
     * {@link UsageRecorded} writes, so the rest is not even read).
     *
     * @return its text (a number's digits), or null when it is absent, null, an object or an array, or the
     *         JSON does not read up to it
     */
    static String tenantId(JsonMapper mapper, byte[] json) {
        try (JsonParser parser = mapper.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("tenantId".equals(name)) {
                    return value != null && value.isScalarValue() && value != JsonToken.VALUE_NULL ? parser.getString() : null;
                }
                parser.skipChildren();
            }
            return null;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
