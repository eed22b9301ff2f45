package io.llmproxy.edge.api.responses;

import java.time.Duration;
import org.redisson.api.RedissonReactiveClient;
import org.redisson.client.codec.StringCodec;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Stored responses (ADR 0018), in Redis: one string key per response,
 * {@code llmproxy:responses:{<tenantId>}:<responseId>}, holding
 * {@code {"response":<the response object>,"items":[<every input and output item of the conversation
 * up to and including this response>]}}, expiring {@link ResponsesProperties#ttl()} after it was
 * written. The tenant is part of the key, so a lookup with another tenant's id finds nothing (the
 * caller answers 404, the same as for an id that never existed). Every call runs on a
 * bounded-elastic thread (Redisson may park while connecting) and times out after
 * {@link ResponsesProperties#storeTimeout()}.
 */
@Component
public class ResponsesStore {

    /** Ids this gateway hands out: {@code resp_} + 32 hex digits. */
    private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("resp_[0-9a-f]{32}");

    private final RedissonReactiveClient redis;
    private final JsonMapper json;
    private final Duration ttl;
    private final Duration timeout;

    public ResponsesStore(RedissonReactiveClient redis, JsonMapper json, ResponsesProperties properties) {
        this.redis = redis;
        this.json = json;
        this.ttl = properties.ttl();
        this.timeout = properties.storeTimeout();
    }

    /** A stored response: the response object and the conversation's items up to it. */
    public record Stored(ObjectNode response, ArrayNode items) {
    }

    /** @return the Redis key of a tenant's response */
    static String key(String tenantId, String responseId) {
        return "llmproxy:responses:{" + tenantId + "}:" + responseId;
    }

    /** Saves (or replaces) a response of {@code tenantId} for {@link ResponsesProperties#ttl()}. */
    public Mono<Void> save(String tenantId, ObjectNode response, ArrayNode items) {
        ObjectNode value = json.createObjectNode();
        value.set("response", response);
        value.set("items", items);
        String text = json.writeValueAsString(value);
        return Mono.defer(() -> redis.<String>getBucket(key(tenantId, response.get("id").asString()), StringCodec.INSTANCE)
                        .set(text, ttl))
                .subscribeOn(Schedulers.boundedElastic()).timeout(timeout);
    }

    /** @return the tenant's stored response, or empty when there is none (unknown, expired, deleted or another tenant's) */
    public Mono<Stored> load(String tenantId, String responseId) {
        if (!ID.matcher(responseId).matches()) {
            return Mono.empty();
        }
        return Mono.defer(() -> redis.<String>getBucket(key(tenantId, responseId), StringCodec.INSTANCE).get())
                .subscribeOn(Schedulers.boundedElastic()).timeout(timeout)
                .map(text -> {
                    ObjectNode value = (ObjectNode) json.readTree(text);
                    return new Stored((ObjectNode) value.get("response"), (ArrayNode) value.get("items"));
                });
    }

    /** @return whether the tenant had that response (it no longer has) */
    public Mono<Boolean> delete(String tenantId, String responseId) {
        if (!ID.matcher(responseId).matches()) {
            return Mono.just(false);
        }
        return Mono.defer(() -> redis.getBucket(key(tenantId, responseId), StringCodec.INSTANCE).delete())
                .subscribeOn(Schedulers.boundedElastic()).timeout(timeout);
    }
}
