package io.llmproxy.edge.http;

import io.llmproxy.edge.api.anthropic.AnthropicMessagesCodec;
import io.llmproxy.edge.api.ollama.OllamaChatCodec;
import io.llmproxy.edge.api.openai.OpenAiChatCodec;
import io.llmproxy.edge.chat.ClientCodec;
import io.llmproxy.edge.gateway.GatewayError;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import tools.jackson.databind.json.JsonMapper;

/**
 * The client API a request path belongs to, which decides the format of every error the edge
 * answers outside a handler (framework errors, timeouts, protocol errors, the connection limit):
 * {@code /api/…} → Ollama {@code {"error":"…"}}; {@code /v1/messages…} → Anthropic
 * {@code {"type":"error","error":{"type","message"}}}; anything else → OpenAI
 * {@code {"error":{"message","type","param","code"}}}. The path is read as request mapping reads it:
 * percent-decoded, without path parameters ({@code ;x=1}) and empty segments, case-sensitive.
 */
public enum ClientApi {
    OPENAI, ANTHROPIC, OLLAMA;

    /**
     * @param target a request target as sent (origin form {@code /v1/x?q}, absolute form
     *               {@code http://h/v1/x}, or a prefix of one), or null when unknown
     */
    public static ClientApi of(String target) {
        if (target == null) {
            return OPENAI;
        }
        String path = target;
        int scheme = path.indexOf("://");
        if (scheme > 0 && scheme < 10) {
            int slash = path.indexOf('/', scheme + 3);
            path = slash < 0 ? "/" : path.substring(slash);
        }
        int query = indexOfAny(path, '?', '#');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        String first = null;
        for (String raw : path.split("/", -1)) {
            int semicolon = raw.indexOf(';');
            String segment = decode(semicolon < 0 ? raw : raw.substring(0, semicolon));
            if (segment.isEmpty()) {
                continue;
            }
            if (first == null) {
                first = segment;
                if ("api".equals(first)) {
                    return OLLAMA;
                }
                if (!"v1".equals(first)) {
                    return OPENAI;
                }
            } else {
                return "messages".equals(segment) ? ANTHROPIC : OPENAI;
            }
        }
        return OPENAI;
    }

    /** @return a codec of this API, used only to render errors */
    public ClientCodec errorCodec(JsonMapper json, Clock clock) {
        return switch (this) {
            case OPENAI -> new OpenAiChatCodec(json);
            case ANTHROPIC -> new AnthropicMessagesCodec(json);
            case OLLAMA -> new OllamaChatCodec(json, OllamaChatCodec.Api.CHAT, clock);
        };
    }

    /** @return {@code error} as this API's JSON error body */
    public byte[] errorBody(GatewayError error, JsonMapper json, Clock clock) {
        return errorCodec(json, clock).error(error);
    }

    private static int indexOfAny(String s, char a, char b) {
        int i = s.indexOf(a);
        int j = s.indexOf(b);
        return i < 0 ? j : j < 0 ? i : Math.min(i, j);
    }

    /** Percent-decodes a path segment; a malformed escape is kept as it is. */
    static String decode(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%' && i + 2 < segment.length() && Character.digit(segment.charAt(i + 1), 16) >= 0
                    && Character.digit(segment.charAt(i + 2), 16) >= 0) {
                out.write(Character.digit(segment.charAt(i + 1), 16) * 16 + Character.digit(segment.charAt(i + 2), 16));
                i += 2;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
