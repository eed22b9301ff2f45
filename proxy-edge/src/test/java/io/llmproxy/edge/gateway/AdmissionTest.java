package io.llmproxy.edge.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.llmproxy.edge.auth.ApiKeyAuthenticator;
import io.llmproxy.edge.call.Call;
import io.llmproxy.edge.gateway.GatewayError.Kind;
import io.llmproxy.edge.provider.ChatTranslator;
import io.llmproxy.edge.provider.UnsupportedRequestException;
import io.llmproxy.edge.quota.QuotaDecision;
import io.llmproxy.edge.snapshot.EdgeSnapshot;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ApiKeyEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ProviderEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.RouteEntry;
import io.llmproxy.edge.snapshot.EdgeSnapshot.RouteKey;
import io.llmproxy.edge.snapshot.EdgeSnapshot.Target;
import io.llmproxy.edge.snapshot.EdgeSnapshot.TenantEntry;
import io.llmproxy.edge.snapshot.SnapshotStore;
import io.llmproxy.kernel.apikey.ApiKeys;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Every refusal of the admission path (authenticate → model → route → allow-list → provider → quota)
 * becomes exactly one {@link GatewayError} with its kind, status, code and usage {@code refusalReason}.
 * The refusals up to the provider come before the quota reservation, so {@link Admission} runs here
 * without a quota store; the quota row checks the mapping of a {@link QuotaDecision.Refusal} (the
 * reservation itself against real Redis is {@code EdgeTenancyAndQuotaTest}'s).
 */
class AdmissionTest {

    private static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");
    private static final String MISSING = "You didn't provide an API key.";
    private static final ObjectNode BODY = JsonMapper.builder().build().createObjectNode().put("model", "gpt");

    private static final EdgeSnapshot SNAPSHOT = new EdgeSnapshot(
            Map.of(ApiKeys.hash("sk-good"), new ApiKeyEntry("k1", "t1", true),
                    ApiKeys.hash("sk-revoked"), new ApiKeyEntry("k2", "t1", false),
                    ApiKeys.hash("sk-expired"), new ApiKeyEntry("k3", "t1", true, null, null, NOW.minusSeconds(1), null),
                    ApiKeys.hash("sk-suspended"), new ApiKeyEntry("k4", "t2", true),
                    ApiKeys.hash("sk-narrow"), new ApiKeyEntry("k5", "t1", true, null, Set.of("other"), null, null)),
            Map.of(RouteKey.global("gpt"), route("gpt", "p1"),
                    RouteKey.global("orphan"), route("orphan", "p-gone"),
                    RouteKey.global("keyless"), route("keyless", "p-keyless"),
                    RouteKey.global("empty"), new RouteEntry(null, "empty", List.of(), NOW)),
            Map.of("p1", new ProviderEntry("p1", "sim", "openai", "http://127.0.0.1:1", "secret"),
                    "p-keyless", new ProviderEntry("p-keyless", "bare", "openai", "http://127.0.0.1:1", null)),
            Map.of("t1", new TenantEntry("t1", false), "t2", new TenantEntry("t2", true)),
            Map.of(), 7, NOW);

    /** A translator whose provider cannot take the request (as an http image URL for Ollama). */
    private static final Function<ProviderEntry, ChatTranslator> REFUSING = provider -> {
        throw new UnsupportedRequestException("this provider cannot fetch image URLs", "messages");
    };

    private static RouteEntry route(String model, String providerId) {
        return new RouteEntry(null, model, List.of(new Target(providerId, "upstream-" + model)), NOW);
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("snapshot not loaded", false, "Bearer sk-good", "gpt", null, Kind.NOT_READY, 503, "not_ready", "not_ready"),
                Arguments.of("no key", true, null, "gpt", null, Kind.UNAUTHENTICATED, 401, "invalid_api_key", "invalid_api_key:missing"),
                Arguments.of("not a bearer", true, "Basic abc", "gpt", null, Kind.UNAUTHENTICATED, 401, "invalid_api_key", "invalid_api_key:missing"),
                Arguments.of("unknown key", true, "Bearer sk-nope", "gpt", null, Kind.UNAUTHENTICATED, 401, "invalid_api_key", "invalid_api_key:unknown"),
                Arguments.of("revoked key", true, "Bearer sk-revoked", "gpt", null, Kind.UNAUTHENTICATED, 401, "invalid_api_key", "invalid_api_key:revoked"),
                Arguments.of("expired key", true, "Bearer sk-expired", "gpt", null, Kind.UNAUTHENTICATED, 401, "invalid_api_key", "invalid_api_key:expired"),
                Arguments.of("suspended tenant", true, "Bearer sk-suspended", "gpt", null, Kind.TENANT_SUSPENDED, 403, "tenant_suspended", "tenant_suspended"),
                Arguments.of("model too long", true, "Bearer sk-good", "m".repeat(257), null, Kind.INVALID_REQUEST, 400, "invalid_model", null),
                Arguments.of("model with control character", true, "Bearer sk-good", "gp\nt", null, Kind.INVALID_REQUEST, 400, "invalid_model", null),
                Arguments.of("unknown model", true, "Bearer sk-good", "nope", null, Kind.MODEL_NOT_FOUND, 404, "model_not_found", null),
                Arguments.of("route without targets", true, "Bearer sk-good", "empty", null, Kind.MODEL_NOT_FOUND, 404, "model_not_found", null),
                Arguments.of("model not in the key's allow-list", true, "Bearer sk-narrow", "gpt", null, Kind.MODEL_NOT_ALLOWED, 403, "model_not_allowed", "model_not_allowed"),
                Arguments.of("provider unknown to the edge", true, "Bearer sk-good", "orphan", null, Kind.PROVIDER_UNAVAILABLE, 502, "provider_unavailable", null),
                Arguments.of("provider without credential", true, "Bearer sk-good", "keyless", null, Kind.PROVIDER_UNAVAILABLE, 502, "provider_unavailable", null),
                Arguments.of("provider cannot take the request", true, "Bearer sk-good", "gpt", REFUSING, Kind.INVALID_REQUEST, 400, "invalid_messages", null));
    }

    @ParameterizedTest(name = "{0} → {5} {6} {7}")
    @MethodSource("refusals")
    void eachRefusalIsOneGatewayError(String name, boolean loaded, String authorization, String model,
                                      Function<ProviderEntry, ChatTranslator> translators, Kind kind, int status,
                                      String code, String reason) {
        SnapshotStore store = new SnapshotStore();
        if (loaded) {
            store.replace(SNAPSHOT);
        }
        Admission admission = new Admission(new ApiKeyAuthenticator(store, Clock.fixed(NOW, ZoneOffset.UTC)), null,
                new io.llmproxy.edge.routing.RoutePlanner(new io.llmproxy.edge.routing.TargetHealth(10, 5, 50, java.time.Duration.ofSeconds(10))));
        // the call is never finished by admission: no publisher needed
        Call call = new Call("chat.completions", null);

        Function<ProviderEntry, ChatTranslator> chosen = translators != null ? translators : p -> {
            throw new AssertionError("no translator expected for " + name);
        };

        GatewayException refused = catchThrowableOfType(GatewayException.class, () -> {
            ApiKeyAuthenticator.Result caller = admission.authenticate(call, authorization, MISSING);
            admission.admit(call, caller, Admission.checkModel(model), BODY, chosen, 100, 10).block();
        });

        GatewayError error = refused.error();
        assertThat(error.kind()).isEqualTo(kind);
        assertThat(error.status()).isEqualTo(status);
        assertThat(error.code()).isEqualTo(code);
        assertThat(error.reason()).isEqualTo(reason);
        assertThat(error.outcome().name()).isEqualTo(status >= 500 ? "UPSTREAM_ERROR" : "CLIENT_ERROR");
        assertThat(error.retryAfter()).isEqualTo(kind == Kind.NOT_READY ? "1" : null);
        assertThat(error.message()).isNotBlank().doesNotContain("secret");
        if (kind == Kind.UNAUTHENTICATED && authorization == null) {
            assertThat(error.message()).isEqualTo(MISSING);
        }
    }

    @ParameterizedTest(name = "quota {0} → {1}")
    @MethodSource("quotaRefusals")
    void aQuotaRefusalKeepsItsStatusReasonRetryAfterAndHeaders(String code, int status, String reason) {
        QuotaDecision.Refusal refusal = new QuotaDecision.Refusal(status, "tokens", code, "limit reached", 42, reason);
        GatewayError error = GatewayError.quota(refusal, Map.of("x-ratelimit-limit-tokens", "1000"));

        assertThat(error.kind()).isEqualTo(Kind.QUOTA);
        assertThat(error.status()).isEqualTo(status);
        assertThat(error.code()).isEqualTo(code);
        assertThat(error.reason()).isEqualTo(reason);
        assertThat(error.retryAfter()).isEqualTo("42");
        assertThat(error.headers()).containsEntry("x-ratelimit-limit-tokens", "1000");
        assertThat(error.outcome().name()).isEqualTo(status >= 500 ? "UPSTREAM_ERROR" : "CLIENT_ERROR");
    }

    static Stream<Arguments> quotaRefusals() {
        return Stream.of(
                Arguments.of("rate_limit_exceeded", 429, "quota:API_KEY:tokensPerMinute"),
                Arguments.of("insufficient_quota", 429, "quota:TENANT:monthlySpendMicros"),
                Arguments.of("quota_store_unavailable", 503, "quota_store_unavailable"));
    }
}
