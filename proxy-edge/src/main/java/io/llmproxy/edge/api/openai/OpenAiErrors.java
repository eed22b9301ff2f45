package io.llmproxy.edge.api.openai;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Error bodies in OpenAI's format: {@code {"error":{"message","type","param","code"}}}
 * (https://platform.openai.com/docs/guides/error-codes).
 */
public final class OpenAiErrors {

    private OpenAiErrors() {
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
