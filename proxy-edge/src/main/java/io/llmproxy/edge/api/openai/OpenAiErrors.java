package io.llmproxy.edge.api.openai;

import io.llmproxy.edge.gateway.ErrorFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * Error bodies in OpenAI's format: {@code {"error":{"message","type","param","code"}}}
 * (https://platform.openai.com/docs/guides/error-codes).
 */
public final class OpenAiErrors {

    private OpenAiErrors() {
    }

    /** @return the OpenAI error format: {@code {"error":{"message","type","param","code"}}} of a gateway error */
    public static ErrorFormat format(JsonMapper json) {
        return error -> json.writeValueAsBytes(body(error.message(), error.type(), error.param(), error.code()));
    }

    public static Map<String, Object> body(String message, String type, String param, String code) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return Map.of("error", error);
    }
}
