package io.llmproxy.edge.provider;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Helpers for translators of the canonical embeddings shape (OpenAI,
 * https://platform.openai.com/docs/api-reference/embeddings/create): reading {@code input} as texts and
 * writing {@code embedding} values as floats or, for {@code "encoding_format":"base64"}, as base64 of
 * little-endian IEEE-754 float32s (what OpenAI's SDKs decode).
 */
public final class EmbeddingInputs {

    private EmbeddingInputs() {
    }

    /**
     * @return {@code input} as a list of texts: a string gives one, an array of strings gives them all
     * @throws UnsupportedRequestException (param {@code input}) for token arrays, an empty list or a
     *                                     non-string element: {@code providerType} takes text only
     */
    public static List<String> texts(JsonNode request, String providerType) {
        JsonNode input = request.get("input");
        List<String> texts = new ArrayList<>();
        if (input != null && input.isString()) {
            texts.add(input.asString());
        } else if (input != null && input.isArray() && !input.isEmpty()) {
            for (JsonNode item : input) {
                if (!item.isString()) {
                    throw new UnsupportedRequestException("Provider type '" + providerType
                            + "' takes embeddings input as a string or an array of strings, not token arrays.", "input");
                }
                texts.add(item.asString());
            }
        } else {
            throw new UnsupportedRequestException("'input' must be a non-empty string or array of strings.", "input");
        }
        return texts;
    }

    /** @return true when the canonical request asks for {@code "encoding_format":"base64"} */
    public static boolean base64(JsonNode request) {
        return "base64".equals(request.path("encoding_format").asString(""));
    }

    /**
     * Appends one canonical {@code {"object":"embedding","index","embedding"}} item to {@code data}.
     *
     * @param vector the provider's numbers (a JSON array)
     * @param base64 write base64 float32 little-endian instead of a number array
     */
    public static void addItem(ArrayNode data, int index, JsonNode vector, boolean base64) {
        ObjectNode item = data.addObject();
        item.put("object", "embedding");
        item.put("index", index);
        if (base64) {
            ByteBuffer buffer = ByteBuffer.allocate(4 * vector.size()).order(ByteOrder.LITTLE_ENDIAN);
            for (JsonNode value : vector) {
                buffer.putFloat((float) value.asDouble());
            }
            item.put("embedding", Base64.getEncoder().encodeToString(buffer.array()));
        } else {
            item.set("embedding", vector);
        }
    }
}
