package io.llmproxy.edge.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The journal record of a usage event with or without its call's trace context (ADR 0019). */
class TracedPayloadTest {

    static final String JSON = "{\"eventId\":\"e-1\",\"tenantId\":\"t\"}";

    @ParameterizedTest(name = "traceparent [{0}] → journal starts with [{1}], decodes to [{2}]")
    @CsvSource(nullValues = "null", value = {
            // a traced call: the traceparent line, then the JSON
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01, 00-0af7, 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            // an unsampled one keeps its context too (flags 00)
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00, 00-0af7, 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00",
            // untraced, or a value that could be mistaken for JSON or split the record: the JSON alone
            "null, {, null",
            "'', {, null",
            "'{x', {, null",
    })
    void roundTrip(String traceparent, String startsWith, String decoded) {
        byte[] record = TracedPayload.encode(traceparent, JSON.getBytes(StandardCharsets.UTF_8));
        assertThat(new String(record, StandardCharsets.UTF_8)).startsWith(startsWith).endsWith(JSON);
        TracedPayload back = TracedPayload.decode(record);
        assertThat(back.traceparent()).isEqualTo(decoded);
        assertThat(new String(back.json(), StandardCharsets.UTF_8)).isEqualTo(JSON);
    }

    /** The Kafka record's key: the event's top-level tenantId, read without building a tree. */
    @ParameterizedTest(name = "{0} → key {1}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
            "{\"eventId\":\"e\",\"schemaVersion\":3,\"tenantId\":\"t-1\",\"model\":\"m\"}| t-1",
            // after nested values, which are skipped whole (a nested tenantId is not the event's)
            "{\"a\":{\"tenantId\":\"inner\"},\"b\":[1,{\"tenantId\":\"x\"}],\"tenantId\":\"outer\"}| outer",
            "{\"tenantId\":\"t-\u00e9\\\"q\"}| t-é\"q",
            "{\"tenantId\":42}| 42",
            "{\"tenantId\":null}| null",
            "{\"tenantId\":{\"id\":\"t\"}}| null",
            "{\"eventId\":\"e\"}| null",
            "[\"tenantId\",\"t\"]| null",
            "{\"tenantId\":| null",
            "not json| null",
    })
    void theRecordIsKeyedByTheTenant(String json, String key) {
        var mapper = tools.jackson.databind.json.JsonMapper.builder().build();
        var record = new TracedPayload(null, json.getBytes(StandardCharsets.UTF_8)).record(mapper);
        assertThat(record.key()).isEqualTo(key);
        assertThat(record.value()).isEqualTo(json);
        assertThat(record.topic()).isEqualTo(io.llmproxy.kernel.usage.UsageRecorded.TOPIC);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // a record written before tracing existed decodes unchanged
            "{\"eventId\":\"old\"}",
            // a record with no newline in its first 128 bytes is taken whole
            "garbage-without-a-newline",
    })
    void recordsWithoutTraceContext(String raw) {
        TracedPayload decoded = TracedPayload.decode(raw.getBytes(StandardCharsets.UTF_8));
        assertThat(decoded.traceparent()).isNull();
        assertThat(new String(decoded.json(), StandardCharsets.UTF_8)).isEqualTo(raw);
    }
}
