package io.llmproxy.query.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.projection.audit.AuditChainVerifier;
import io.llmproxy.projection.audit.AuditLog;
import io.llmproxy.testsupport.LocalPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.MetaData;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What {@link AuditLogIntegrationTest} runs on: the query-side on the real PostgreSQL and an embedded
 * KRaft broker, an admin token, and helpers that publish admin events with their actor, send usage
 * events, read the audit API (as the test admin or another token) and checksum the audit tables.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "llmproxy.query.admin-token=test-admin-token",
        "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
        "spring.kafka.producer.key-serializer=org.apache.kafka.common.serialization.StringSerializer",
        "spring.kafka.producer.value-serializer=org.apache.kafka.common.serialization.StringSerializer"})
@EmbeddedKafka(partitions = 3, topics = UsageRecorded.TOPIC)
abstract class AuditLogFixture {

    static final String A = "a0000000-0000-4000-8000-00000000000a";
    static final String B = "b0000000-0000-4000-8000-00000000000b";
    static final Instant T0 = Instant.parse("2026-11-01T09:00:00Z");
    static final String ALICE = "admin-token:alice@example.org";
    /** admin rows of A (8), usage rows of A (3), B (1 admin), no tenant (1 admin) */
    static final int ROWS = 13;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        LocalPostgres.springDataSource("llmproxy_audit_it", registry::add);
    }

    @Autowired
    EventStore eventStore;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    KafkaTemplate<String, String> kafka;
    @Autowired
    JsonMapper json;
    @Autowired
    AuditLog auditLog;
    @Autowired
    AuditChainVerifier verifier;
    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();

    static UsageRecorded withText(UsageRecorded e, String prompt, String completion) {
        return new UsageRecorded(e.eventId(), UsageRecorded.SCHEMA_VERSION, e.tenantId(), e.apiKeyId(), e.endpoint(), e.model(),
                e.providerId(), e.providerModel(), e.stream(), e.promptTokens(), e.completionTokens(), e.totalTokens(),
                e.latencyMs(), e.httpStatus(), e.outcome(), e.occurredAt(), e.refusalReason(), e.usageEstimated(), e.userId(),
                e.cachedPromptTokens(), prompt, completion);
    }

    String checksum() {
        return jdbc.queryForObject("""
                SELECT md5(coalesce(string_agg(concat_ws('|', chain_id, source, seq, event_id, tenant_id, event_type, occurred_at,
                    actor, api_key_id, payload::text, hash), E'\\n' ORDER BY chain_id, source, seq), ''))
                    || md5(coalesce((SELECT string_agg(concat_ws('|', chain_id, source, seq, hash), E'\\n' ORDER BY chain_id, source)
                    FROM audit_chain_head), ''))
                    || md5(coalesce((SELECT string_agg(concat_ws('|', tenant_id, store_prompt_content, updated_at, change_index), E'\\n'
                    ORDER BY tenant_id) FROM audit_content_policy), ''))
                FROM audit_log""", String.class);
    }

    static UsageRecorded usage(String id, long secondsAfterT0) {
        return new UsageRecorded(id, 2, A, "k1", "chat.completions", "gpt-4o-mini", "p1", "sim-a", false, 10 * (secondsAfterT0 / 100),
                5, 10 * (secondsAfterT0 / 100) + 5, 12, 200, UsageRecorded.Outcome.SUCCESS, T0.plusSeconds(secondsAfterT0),
                null, false, "u1", 0, null, null);
    }

    String eventId(String aggregate, long sequence) {
        return jdbc.queryForObject("SELECT eventidentifier FROM domainevententry WHERE aggregateidentifier = ? AND sequencenumber = ?",
                String.class, aggregate, sequence);
    }

    void publish(String aggregateId, long sequence, Object event, String actor) {
        MetaData meta = actor == null ? MetaData.emptyInstance() : MetaData.with("actor", actor);
        eventStore.publish(new GenericDomainEventMessage<>(event.getClass().getSimpleName(), aggregateId, sequence, event, meta));
    }

    long count(String table) {
        return jdbc.queryForObject("SELECT count(*) FROM " + table, Long.class);
    }

    static List<String> types(JsonNode page) {
        return page.get("items").valueStream().map(n -> n.get("eventType").asString()).toList();
    }

    HttpResponse<String> post(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer test-admin-token")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, String accept) throws Exception {
        return get(path, accept, "test-admin-token");
    }

    HttpResponse<String> get(String path, String accept, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (accept != null) {
            b.header("Accept", accept);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode getJson(String path) throws Exception {
        HttpResponse<String> response = get(path, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }
}
