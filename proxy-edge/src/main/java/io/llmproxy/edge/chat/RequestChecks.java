package io.llmproxy.edge.chat;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The checks every client codec makes on a chat request body, with the wording of the client's own
 * API passed in (each API words its errors differently). Each throws {@link ClientRequestException},
 * which the pipeline answers with 400 in the client's format.
 */
public final class RequestChecks {

    private RequestChecks() {
    }

    /**
     * @param notObject message when the body is JSON but not an object
     * @param notJson   message when the body is not JSON
     * @return the body as a JSON object
     */
    public static ObjectNode object(JsonMapper json, byte[] bytes, String notObject, String notJson) {
        try {
            JsonNode node = json.readTree(bytes);
            if (node instanceof ObjectNode object) {
                return object;
            }
        } catch (JacksonException e) {
            throw new ClientRequestException(notJson, null);
        }
        throw new ClientRequestException(notObject, null);
    }

    /** @return the non-blank string {@code model} field */
    public static String model(ObjectNode body, String message) {
        JsonNode model = body.get("model");
        if (model == null || !model.isString() || model.asString().isBlank()) {
            throw new ClientRequestException(message, "model");
        }
        return model.asString();
    }

    /** Requires {@code field} to be a non-empty array. */
    public static JsonNode nonEmptyArray(ObjectNode body, String field, String message) {
        JsonNode value = body.get(field);
        if (value == null || !value.isArray() || value.isEmpty()) {
            throw new ClientRequestException(message, field);
        }
        return value;
    }

    /**
     * A token cap ({@code max_tokens} and the like): absent or null is fine; otherwise it must be a
     * whole number 1..2,147,483,647 (what the providers accept), so that a negative or huge cap can
     * neither dodge the token reservation nor overflow it.
     */
    public static void optionalTokenCap(ObjectNode body, String field, String message) {
        JsonNode value = body.get(field);
        if (value != null && !value.isNull() && !(value.isInt() && value.asInt() >= 1)) {
            throw new ClientRequestException(message, field);
        }
    }

    /** @return the boolean {@code field}, or {@code absent} when it is missing or null */
    public static boolean optionalBoolean(ObjectNode body, String field, boolean absent, String message) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return absent;
        }
        if (!value.isBoolean()) {
            throw new ClientRequestException(message, field);
        }
        return value.asBoolean();
    }
}
