package io.llmproxy.edge.api.openai;

import io.llmproxy.edge.chat.CanonicalRequest;
import io.llmproxy.edge.chat.ClientCodec;
import io.llmproxy.edge.chat.ClientRequestException;
import io.llmproxy.edge.gateway.GatewayError;
import io.llmproxy.edge.chat.RequestChecks;
import io.llmproxy.edge.provider.Translated;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAI chat completions client format (https://platform.openai.com/docs/api-reference/chat/create):
 * the canonical model itself, so answers pass through as the translator produced them, byte for
 * byte (no parsing on the way out). Errors are {@code {"error":{"message","type","param","code"}}}
 * (https://platform.openai.com/docs/guides/error-codes); a failed stream ends with one
 * {@code data: {"error":…}} event and no {@code [DONE]}.
 */
public final class OpenAiChatCodec implements ClientCodec {

    /** The usage event's endpoint name. */
    public static final String ENDPOINT = "chat.completions";

    private final JsonMapper json;

    public OpenAiChatCodec(JsonMapper json) {
        this.json = json;
    }

    @Override
    public String endpoint() {
        return ENDPOINT;
    }

    @Override
    public String missingKeyMessage() {
        return "You didn't provide an API key. You need to provide your API key in an Authorization header "
                + "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
    }

    /**
     * @throws ClientRequestException for a body that is not a JSON object, a missing or non-string
     *                                {@code model}, empty {@code messages}, or a non-boolean {@code stream}
     */
    @Override
    public CanonicalRequest canonical(byte[] bytes) {
        ObjectNode body = RequestChecks.object(json, bytes, "The request body must be a JSON object.",
                "We could not parse the JSON body of your request.");
        String model = RequestChecks.model(body, "you must provide a model parameter");
        RequestChecks.nonEmptyArray(body, "messages", "'messages' must be a non-empty array");
        boolean stream = RequestChecks.optionalBoolean(body, "stream", false, "'stream' must be a boolean");
        RequestChecks.optionalTokenCap(body, "max_tokens", "'max_tokens' must be an integer from 1 to 2147483647");
        RequestChecks.optionalTokenCap(body, "max_completion_tokens",
                "'max_completion_tokens' must be an integer from 1 to 2147483647");
        boolean clientWantsUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        return new CanonicalRequest(body, model, stream, clientWantsUsage);
    }

    @Override
    public String streamContentType() {
        return "text/event-stream";
    }

    @Override
    public byte[] response(byte[] canonical) {
        return canonical;
    }

    @Override
    public byte[] streamChunk(Translated piece) {
        return piece.bytes();
    }

    @Override
    public byte[] error(GatewayError error) {
        return OpenAiErrors.format(json).error(error);
    }

    @Override
    public byte[] streamError(GatewayError error) {
        return io.llmproxy.edge.stream.SseEncoder.data(json.writeValueAsString(
                OpenAiErrors.body(error.message(), error.type(), null, error.code())));
    }
}
