package io.llmproxy.edge.provider;

import io.llmproxy.edge.stream.SseEncoder;
import java.io.ByteArrayOutputStream;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes the canonical stream (OpenAI {@code chat.completion.chunk} SSE events,
 * https://platform.openai.com/docs/api-reference/chat-streaming) for a translator whose provider
 * streams another shape (Anthropic, Cohere, Ollama): every event is
 * {@code data: {"id","object":"chat.completion.chunk","created","model","choices":[…]}\n\n}, with
 * {@code created} in epoch seconds. One object per stream (it holds the chunk header); no Spring,
 * Reactor or Netty types.
 */
public final class CanonicalChunks {

    private final JsonMapper json;
    private final boolean logprobs;
    private String id;
    private long created;
    private String model;

    /**
     * @param id       the chunks' {@code id} ({@code chatcmpl-…})
     * @param created  their {@code created}, epoch seconds
     * @param model    their {@code model}
     * @param logprobs whether each choice carries {@code "logprobs":null}
     */
    public CanonicalChunks(JsonMapper json, String id, long created, String model, boolean logprobs) {
        this.json = json;
        this.id = id;
        this.created = created;
        this.model = model;
        this.logprobs = logprobs;
    }

    public String id() {
        return id;
    }

    public void id(String id) {
        this.id = id;
    }

    /** @return the chunks' {@code created}, epoch seconds */
    public long created() {
        return created;
    }

    public void created(long epochSeconds) {
        this.created = epochSeconds;
    }

    public String model() {
        return model;
    }

    public void model(String model) {
        this.model = model;
    }

    /** @return {@code {"id","object":"chat.completion.chunk","created","model"}} */
    public ObjectNode header() {
        ObjectNode chunk = json.createObjectNode();
        chunk.put("id", id);
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", created);
        chunk.put("model", model);
        return chunk;
    }

    /** @return a delta {@code {"role":"assistant","content":""}}: the first chunk of a stream */
    public ObjectNode roleDelta() {
        ObjectNode delta = json.createObjectNode();
        delta.put("role", "assistant");
        delta.put("content", "");
        return delta;
    }

    /**
     * @param delta        the choice's {@code delta} ({@code role}, {@code content}, {@code tool_calls})
     * @param finishReason {@code stop}, {@code length}, {@code tool_calls}, {@code content_filter}, or null
     * @return one SSE event: the header and {@code "choices":[{"index":0,"delta",("logprobs":null,)"finish_reason"}]}
     */
    public byte[] chunk(ObjectNode delta, String finishReason) {
        ObjectNode chunk = header();
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        if (logprobs) {
            choice.putNull("logprobs");
        }
        choice.put("finish_reason", finishReason);
        return SseEncoder.data(json.writeValueAsString(chunk));
    }

    /**
     * @param usage the usage chunk's {@code usage} (see {@link #usage}), or null when the client did not
     *              ask for {@code stream_options.include_usage}
     * @return the end of the stream: the usage chunk ({@code "choices":[]}) when given, then {@code data: [DONE]}
     */
    public byte[] end(ObjectNode usage) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        if (usage != null) {
            ObjectNode usageChunk = header();
            usageChunk.putArray("choices");
            usageChunk.set("usage", usage);
            out.writeBytes(SseEncoder.data(json.writeValueAsString(usageChunk)));
        }
        out.writeBytes(SseEncoder.done());
        return out.toByteArray();
    }

    /**
     * @param cachedDetails whether to add {@code prompt_tokens_details.cached_tokens}
     * @return OpenAI {@code usage}: {@code {"prompt_tokens","completion_tokens","total_tokens"}} in tokens
     */
    public static ObjectNode usage(JsonMapper json, TokenUsage usage, boolean cachedDetails) {
        ObjectNode node = json.createObjectNode();
        node.put("prompt_tokens", usage.promptTokens());
        node.put("completion_tokens", usage.completionTokens());
        node.put("total_tokens", usage.totalTokens());
        if (cachedDetails) {
            node.putObject("prompt_tokens_details").put("cached_tokens", usage.cachedPromptTokens());
        }
        return node;
    }
}
