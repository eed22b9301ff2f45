package io.llmproxy.edge.call;

import io.llmproxy.edge.stream.SseDecoder;
import io.llmproxy.edge.stream.SseEvent;
import io.llmproxy.kernel.usage.UsageRecorded;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The prompt and completion text of a call whose tenant opted in to content capture (issue #5),
 * for {@link UsageRecorded#promptText()} and {@link UsageRecorded#completionText()}. Only used for
 * such tenants: every other call pays nothing. Pure CPU work (no I/O), safe on event loops. The
 * texts are raw here; {@link Call#finish} masks and caps them ({@link UsageRecorded#capturedText})
 * before the event leaves the edge.
 */
public final class ContentCapture {

    private static final JsonMapper JSON = io.llmproxy.edge.config.EdgeJson.builder().build();

    private ContentCapture() {
    }

    /**
     * @param canonical canonical (OpenAI chat) request body
     * @return one {@code role: text} line per message, the text of its string content or of its
     *         {@code text} parts (other parts, e.g. images, are left out)
     */
    public static String prompt(JsonNode canonical) {
        StringBuilder out = new StringBuilder();
        for (JsonNode message : canonical.path("messages")) {
            if (!out.isEmpty()) {
                out.append('\n');
            }
            out.append(message.path("role").asString("")).append(": ");
            JsonNode content = message.get("content");
            if (content != null && content.isString()) {
                out.append(content.asString());
            } else if (content != null && content.isArray()) {
                boolean first = true;
                for (JsonNode part : content) {
                    JsonNode text = part.get("text");
                    if (text != null && text.isString()) {
                        if (!first) {
                            out.append(' ');
                        }
                        out.append(text.asString());
                        first = false;
                    }
                }
            }
            if (out.length() > 2 * UsageRecorded.MAX_TEXT_CHARS) {
                break; // cut later anyway
            }
        }
        return out.toString();
    }

    /**
     * @param input an embeddings request's {@code input}
     * @return its texts, one per line (token arrays have no text and are left out)
     */
    public static String embeddingsInput(JsonNode input) {
        if (input == null) {
            return null;
        }
        if (input.isString()) {
            return input.asString();
        }
        StringBuilder out = new StringBuilder();
        for (JsonNode item : input) {
            if (item.isString()) {
                if (!out.isEmpty()) {
                    out.append('\n');
                }
                out.append(item.asString());
            }
        }
        return out.toString();
    }

    /**
     * @param canonical a canonical {@code chat.completion} body
     * @return the assistant text of its first choice ({@code ""} when it has none)
     */
    public static String completion(byte[] canonical) {
        try {
            JsonNode content = JSON.readTree(canonical).path("choices").path(0).path("message").get("content");
            return content != null && content.isString() ? content.asString() : "";
        } catch (JacksonException e) {
            return "";
        }
    }

    /**
     * The assistant text of a stream: the {@code delta.content} of the first choice of the
     * canonical {@code chat.completion.chunk} events fed to it. Thread-safe (the pipeline feeds it;
     * the call may read it from another thread when the client goes away).
     */
    public static final class StreamText {

        private final SseDecoder events = new SseDecoder();
        private final StringBuilder text = new StringBuilder();

        /** @param canonical canonical SSE bytes, as produced by a chat translator */
        public synchronized void feed(byte[] canonical) {
            if (canonical.length == 0) {
                return;
            }
            for (SseEvent event : events.feed(canonical)) {
                if (event.isDone() || text.length() > 2 * UsageRecorded.MAX_TEXT_CHARS) {
                    continue;
                }
                try {
                    JsonNode choices = JSON.readTree(event.data()).get("choices");
                    if (choices == null) {
                        continue;
                    }
                    for (JsonNode choice : choices) {
                        JsonNode content = choice.path("delta").get("content");
                        if (choice.path("index").asInt(0) == 0 && content != null && content.isString()) {
                            text.append(content.asString());
                        }
                    }
                } catch (JacksonException e) {
                    // not a chunk the codec could read either; nothing to capture
                }
            }
        }

        /** @return the text seen so far */
        public synchronized String text() {
            return text.toString();
        }
    }
}
