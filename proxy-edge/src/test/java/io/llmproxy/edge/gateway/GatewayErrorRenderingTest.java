package io.llmproxy.edge.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.edge.api.anthropic.AnthropicMessagesCodec;
import io.llmproxy.edge.api.ollama.OllamaChatCodec;
import io.llmproxy.edge.api.openai.OpenAiChatCodec;
import io.llmproxy.edge.api.openai.OpenAiErrors;
import io.llmproxy.edge.auth.ApiKeyAuthenticator;
import io.llmproxy.edge.gateway.GatewayError.Kind;
import io.llmproxy.edge.provider.UpstreamFailures;
import io.llmproxy.edge.quota.QuotaDecision;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Each {@link GatewayError} kind × each client format: the status, {@code Retry-After} and extra
 * headers are the same in every format ({@link GatewayResponses#render}); the body is the format's own:
 * OpenAI {@code {"error":{"message","type","param","code"}}}, Anthropic
 * {@code {"type":"error","error":{"type","message"}}} with the type by status, Ollama {@code {"error":"…"}}.
 */
class GatewayErrorRenderingTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One sample per kind (two for UPSTREAM): the error, and Anthropic's error type for its status. */
    private static final List<Object[]> SAMPLES = List.of(
            new Object[] {GatewayError.authentication(ApiKeyAuthenticator.Status.NOT_READY, "m"), "overloaded_error"},
            new Object[] {GatewayError.authentication(ApiKeyAuthenticator.Status.REVOKED, "m"), "authentication_error"},
            new Object[] {GatewayError.authentication(ApiKeyAuthenticator.Status.TENANT_SUSPENDED, "m"), "permission_error"},
            new Object[] {GatewayError.badRequest("'input' must be a non-empty string or array", "input"), "invalid_request_error"},
            new Object[] {GatewayError.requestBody(415, "unsupported_media_type", "Content-Type text/plain is not JSON"), "invalid_request_error"},
            new Object[] {GatewayError.requestTooLarge(), "request_too_large"},
            new Object[] {GatewayError.modelNotFound("gpt-x"), "not_found_error"},
            new Object[] {GatewayError.modelNotAllowed("gpt-x"), "permission_error"},
            new Object[] {GatewayError.providerUnavailable("gpt-x"), "api_error"},
            new Object[] {GatewayError.quota(new QuotaDecision.Refusal(429, "tokens", "rate_limit_exceeded",
                    "Token limit of the API key reached", 12, "quota:API_KEY:tokensPerMinute"),
                    Map.of("x-ratelimit-remaining-tokens", "0")), "rate_limit_error"},
            new Object[] {GatewayError.upstream(UpstreamFailures.forStatus("sim", 429, "slow down", "7"), "sim"), "rate_limit_error"},
            new Object[] {GatewayError.upstream(UpstreamFailures.forStatus("sim", 529, null, null), "sim"), "overloaded_error"},
            new Object[] {GatewayError.upstreamTimeout("sim"), "api_error"},
            new Object[] {GatewayError.upstreamUnreachable("sim"), "api_error"},
            new Object[] {GatewayError.internal(), "api_error"},
            new Object[] {GatewayError.of(405, "invalid_request_error", "method_not_allowed", "Use POST.", null), "invalid_request_error"});

    static Stream<Arguments> kindsTimesFormats() {
        List<Arguments> rows = new ArrayList<>();
        for (Object[] sample : SAMPLES) {
            for (String format : List.of("openai", "anthropic", "ollama")) {
                GatewayError error = (GatewayError) sample[0];
                rows.add(Arguments.of(error.kind(), error.code(), format, error, sample[1]));
            }
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{0} {1} in {2}")
    @MethodSource("kindsTimesFormats")
    void eachKindIsRenderedInEachFormat(Kind kind, String code, String format, GatewayError error, String anthropicType) {
        ErrorFormat errors = switch (format) {
            case "openai" -> new OpenAiChatCodec(JSON);
            case "anthropic" -> new AnthropicMessagesCodec(JSON);
            default -> new OllamaChatCodec(JSON, OllamaChatCodec.Api.CHAT, Clock.systemUTC());
        };

        GatewayResponses.Rendered rendered = GatewayResponses.render(errors, error);

        assertThat(rendered.status()).isEqualTo(error.status());
        assertThat(rendered.contentType()).isEqualTo("application/json");
        assertThat(rendered.headers().get("Retry-After")).isEqualTo(error.retryAfter());
        assertThat(rendered.headers()).containsAllEntriesOf(error.headers());
        JsonNode body = JSON.readTree(rendered.body());
        switch (format) {
            case "openai" -> {
                assertThat(body.path("error").path("message").asString()).isEqualTo(error.message());
                assertThat(body.path("error").path("type").asString()).isEqualTo(error.type());
                assertThat(body.path("error").path("code").asString()).isEqualTo(code);
                assertThat(body.path("error").get("param").isNull() ? null : body.path("error").path("param").asString())
                        .isEqualTo(error.param());
            }
            case "anthropic" -> {
                assertThat(body.path("type").asString()).isEqualTo("error");
                assertThat(body.path("error").path("type").asString()).isEqualTo(anthropicType);
                assertThat(body.path("error").path("message").asString()).isEqualTo(error.message());
            }
            default -> assertThat(body.path("error").asString())
                    .isEqualTo(kind == Kind.MODEL_NOT_FOUND ? "model '' not found" : error.message());
        }
        assertThat(new String(rendered.body())).doesNotContain("secret");
    }

    @ParameterizedTest(name = "{0} {1}: OpenAI embeddings format = OpenAI chat codec")
    @MethodSource("kindsTimesFormats")
    void theOpenAiEmbeddingsFormatWritesWhatTheChatCodecWrites(Kind kind, String code, String format, GatewayError error,
                                                               String anthropicType) {
        assertThat(OpenAiErrors.format(JSON).error(error)).isEqualTo(new OpenAiChatCodec(JSON).error(error));
    }
}
