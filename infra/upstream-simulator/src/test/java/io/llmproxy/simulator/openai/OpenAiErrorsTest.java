package io.llmproxy.simulator.openai;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** OpenAI error shapes: authentication, validation and the fault knobs. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class OpenAiErrorsTest {

    private static final String VALID = """
            {"model":"sim-gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}""";

    @Autowired
    WebTestClient client;

    @Autowired
    JsonMapper mapper;

    private WebTestClient.RequestHeadersSpec<?> post(String body, String... headers) {
        var spec = client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON);
        for (int i = 0; i < headers.length; i += 2) {
            spec = spec.header(headers[i], headers[i + 1]);
        }
        return spec.bodyValue(body);
    }

    private JsonNode error(WebTestClient.RequestHeadersSpec<?> request, int status) {
        byte[] bytes = request.exchange()
                .expectStatus().isEqualTo(status)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody(byte[].class).returnResult().getResponseBody();
        JsonNode root = mapper.readTree(bytes);
        assertThat(root.properties()).hasSize(1);
        JsonNode error = root.get("error");
        assertThat(error.get("message").isString()).isTrue();
        assertThat(error.get("type").isString()).isTrue();
        assertThat(error.has("param")).isTrue();
        assertThat(error.has("code")).isTrue();
        return error;
    }

    @Test
    void missingAuthorizationIs401InvalidApiKey() {
        JsonNode error = error(post(VALID), 401);
        assertThat(error.get("message").stringValue()).startsWith("You didn't provide an API key.");
        assertThat(error.get("type").stringValue()).isEqualTo("invalid_request_error");
        assertThat(error.get("param").isNull()).isTrue();
        assertThat(error.get("code").stringValue()).isEqualTo("invalid_api_key");
    }

    @Test
    void emptyOrNonBearerAuthorizationIs401() {
        assertThat(error(post(VALID, "Authorization", "Bearer  "), 401).get("code").stringValue())
                .isEqualTo("invalid_api_key");
        assertThat(error(post(VALID, "Authorization", "Basic dXNlcjpwYXNz"), 401).get("code").stringValue())
                .isEqualTo("invalid_api_key");
        assertThat(error(client.get().uri("/v1/models"), 401).get("code").stringValue())
                .isEqualTo("invalid_api_key");
    }

    @Test
    void invalidJsonIs400() {
        JsonNode error = error(post("{\"model\": \"x\", \"messages\": [", "Authorization", "Bearer k"), 400);
        assertThat(error.get("message").stringValue()).startsWith("We could not parse the JSON body");
        assertThat(error.get("type").stringValue()).isEqualTo("invalid_request_error");
        assertThat(error.get("param").isNull()).isTrue();
        assertThat(error.get("code").isNull()).isTrue();

        assertThat(error(post("[1,2]", "Authorization", "Bearer k"), 400).get("param").isNull()).isTrue();
        assertThat(error(post("", "Authorization", "Bearer k"), 400).get("param").isNull()).isTrue();
    }

    @Test
    void missingModelOrMessagesIs400NamingTheParameter() {
        JsonNode noModel = error(post("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}",
                "Authorization", "Bearer k"), 400);
        assertThat(noModel.get("message").stringValue()).isEqualTo("Missing required parameter: 'model'.");
        assertThat(noModel.get("param").stringValue()).isEqualTo("model");
        assertThat(noModel.get("code").isNull()).isTrue();

        JsonNode noMessages = error(post("{\"model\":\"m\"}", "Authorization", "Bearer k"), 400);
        assertThat(noMessages.get("param").stringValue()).isEqualTo("messages");
        assertThat(noMessages.get("code").isNull()).isTrue();

        assertThat(error(post("{\"model\":\"m\",\"messages\":[]}", "Authorization", "Bearer k"), 400)
                .get("param").stringValue()).isEqualTo("messages");
        assertThat(error(post("{\"model\":\"m\",\"messages\":[{\"content\":\"Hi\"}]}", "Authorization", "Bearer k"), 400)
                .get("param").stringValue()).isEqualTo("messages[0].role");
    }

    @Test
    void invalidOptionsAre400NamingTheParameter() {
        String zeroMax = "{\"model\":\"m\",\"max_tokens\":0,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        assertThat(error(post(zeroMax, "Authorization", "Bearer k"), 400).get("param").stringValue())
                .isEqualTo("max_tokens");
        String badStream = "{\"model\":\"m\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        assertThat(error(post(badStream, "Authorization", "Bearer k"), 400).get("param").stringValue())
                .isEqualTo("stream");
        assertThat(error(post(VALID, "Authorization", "Bearer k", "x-sim-ttft-ms", "soon"), 400)
                .get("param").stringValue()).isEqualTo("x-sim-ttft-ms");
        assertThat(error(post(VALID, "Authorization", "Bearer k", "x-sim-status", "200"), 400)
                .get("param").stringValue()).isEqualTo("x-sim-status");
    }

    @Test
    void simStatusHeader429AnswersRateLimitWithRetryAfter() {
        byte[] bytes = post(VALID, "Authorization", "Bearer k", "x-sim-status", "429").exchange()
                .expectStatus().isEqualTo(429)
                .expectHeader().valueEquals("Retry-After", "1")
                .expectBody(byte[].class).returnResult().getResponseBody();
        JsonNode error = mapper.readTree(bytes).get("error");
        assertThat(error.get("type").stringValue()).isEqualTo("requests");
        assertThat(error.get("code").stringValue()).isEqualTo("rate_limit_exceeded");
    }

    @Test
    void simStatusHeaderAnswersServerErrors() {
        assertThat(error(post(VALID, "Authorization", "Bearer k", "x-sim-status", "503"), 503)
                .get("type").stringValue()).isEqualTo("server_error");
        assertThat(error(post("not even json", "Authorization", "Bearer k", "x-sim-status", "500"), 500)
                .get("type").stringValue()).isEqualTo("server_error");
        assertThat(error(client.get().uri("/v1/models").header("Authorization", "Bearer k")
                .header("x-sim-status", "502"), 502).get("type").stringValue()).isEqualTo("server_error");
    }

    @Test
    void simErrorModelAnswersThatStatus() {
        String body = "{\"model\":\"sim-error-500\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        JsonNode error = error(post(body, "Authorization", "Bearer k"), 500);
        assertThat(error.get("type").stringValue()).isEqualTo("server_error");
        assertThat(error.get("message").stringValue())
                .isEqualTo("The server had an error while processing your request. Sorry about that! (simulated)");
    }
}
