package io.llmproxy.simulator.openai;

import io.llmproxy.simulator.core.CompletionPlan;
import io.llmproxy.simulator.core.FinishReason;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Renders {@link CompletionPlan}s and errors as OpenAI Chat Completions JSON (API reference,
 * https://platform.openai.com/docs/api-reference/chat/object and
 * https://platform.openai.com/docs/api-reference/chat/streaming). Output is compact JSON with the
 * fields in the order below; token counts are in sim tokens, {@code created} in epoch seconds.
 *
 * <p>Non-streamed ({@link #completion}):
 * <pre>{"id":"chatcmpl-…","object":"chat.completion","created":1700000000,"model":"…","system_fingerprint":"fp_sim",
 *  "choices":[{"index":0,"message":{"role":"assistant","content":"…","refusal":null},"logprobs":null,"finish_reason":"stop"}],
 *  "usage":{USAGE}}</pre>
 * where {@code USAGE} is
 * <pre>{"prompt_tokens":N,"completion_tokens":M,"total_tokens":N+M,
 *  "prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}</pre>
 *
 * <p>Streamed: each event is {@code "data: " + json + "\n\n"}; every chunk is
 * {@code {"id","object":"chat.completion.chunk","created","model","system_fingerprint","choices":[…]}}
 * plus {@code "usage":null} when usage was requested. Sequence: {@link #roleChunk} (delta
 * {@code {"role":"assistant","content":""}}), one {@link #tokenChunk} per completion token (delta
 * {@code {"content":"…"}}, {@code finish_reason} null), {@link #finishChunk} (delta {@code {}} and the
 * finish reason), optionally {@link #usageChunk} ({@code "choices":[]} and {@code USAGE}), then
 * {@link #DONE_EVENT}.
 */
public final class OpenAiWireFormat {

    /** Value of {@code system_fingerprint} on every response. */
    public static final String SYSTEM_FINGERPRINT = "fp_sim";
    /** The terminating server-sent event of every stream. */
    public static final String DONE_EVENT = "data: [DONE]\n\n";
    /** Prefix of every completion id; followed by {@value #ID_SUFFIX_LENGTH} base-62 characters. */
    public static final String ID_PREFIX = "chatcmpl-";
    /** Length of the hash-derived part of completion ids. */
    public static final int ID_SUFFIX_LENGTH = 29;

    /** The fixed model list of {@code GET /v1/models}; chat requests accept any model name. */
    public static final List<String> MODELS = List.of("sim-gpt-4o-mini", "sim-gpt-4o", "sim-embedding-small");
    /** {@code created} of every listed model, epoch seconds. */
    public static final long MODELS_CREATED = 1_700_000_000L;
    /** {@code owned_by} of every listed model. */
    public static final String MODELS_OWNER = "upstream-simulator";

    private final JsonMapper mapper;

    public OpenAiWireFormat(JsonMapper mapper) {
        this.mapper = mapper;
    }

    /** The response id for a plan: {@code "chatcmpl-"} + 29 base-62 characters from the request hash. */
    public static String completionId(CompletionPlan plan) {
        return ID_PREFIX + plan.idSuffix(ID_SUFFIX_LENGTH);
    }

    /** OpenAI's {@code finish_reason} for a core finish reason. */
    public static String finishReason(FinishReason reason) {
        return switch (reason) {
            case STOP -> "stop";
            case LENGTH -> "length";
        };
    }

    /** The non-streamed {@code chat.completion} body. */
    public byte[] completion(CompletionPlan plan, String model, long created) {
        ObjectNode root = header(plan, model, created, "chat.completion");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", plan.content());
        message.putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(plan.finishReason()));
        root.set("usage", usage(plan));
        return mapper.writeValueAsBytes(root);
    }

    /** First stream event: delta {@code {"role":"assistant","content":""}}. */
    public String roleChunk(CompletionPlan plan, String model, long created, boolean includeUsage) {
        ObjectNode root = header(plan, model, created, "chat.completion.chunk");
        ObjectNode delta = choice(root).putObject("delta");
        delta.put("role", "assistant");
        delta.put("content", "");
        finishChoice(root, null, includeUsage);
        return event(root);
    }

    /** Stream event for completion token {@code index} (0-based): delta {@code {"content":token}}. */
    public String tokenChunk(CompletionPlan plan, String model, long created, boolean includeUsage, int index) {
        ObjectNode root = header(plan, model, created, "chat.completion.chunk");
        choice(root).putObject("delta").put("content", plan.tokens().get(index));
        finishChoice(root, null, includeUsage);
        return event(root);
    }

    /** Stream event closing the choice: empty delta and the finish reason. */
    public String finishChunk(CompletionPlan plan, String model, long created, boolean includeUsage) {
        ObjectNode root = header(plan, model, created, "chat.completion.chunk");
        choice(root).putObject("delta");
        finishChoice(root, finishReason(plan.finishReason()), includeUsage);
        return event(root);
    }

    /** Extra last stream event when usage was requested: {@code "choices":[]} and the usage object. */
    public String usageChunk(CompletionPlan plan, String model, long created) {
        ObjectNode root = header(plan, model, created, "chat.completion.chunk");
        root.putArray("choices");
        root.set("usage", usage(plan));
        return event(root);
    }

    /** {@code GET /v1/models}: {@code {"object":"list","data":[{"id","object":"model","created","owned_by"}…]}}. */
    public byte[] modelList() {
        ObjectNode root = mapper.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (String id : MODELS) {
            ObjectNode model = data.addObject();
            model.put("id", id);
            model.put("object", "model");
            model.put("created", MODELS_CREATED);
            model.put("owned_by", MODELS_OWNER);
        }
        return mapper.writeValueAsBytes(root);
    }

    /** {@code {"error":{"message","type","param","code"}}}. */
    public byte[] error(OpenAiApiException error) {
        ObjectNode root = mapper.createObjectNode();
        ObjectNode body = root.putObject("error");
        body.put("message", error.getMessage());
        body.put("type", error.type());
        body.put("param", error.param());
        body.put("code", error.code());
        return mapper.writeValueAsBytes(root);
    }

    private ObjectNode header(CompletionPlan plan, String model, long created, String object) {
        ObjectNode root = mapper.createObjectNode();
        root.put("id", completionId(plan));
        root.put("object", object);
        root.put("created", created);
        root.put("model", model);
        root.put("system_fingerprint", SYSTEM_FINGERPRINT);
        return root;
    }

    private static ObjectNode choice(ObjectNode root) {
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        return choice;
    }

    private static void finishChoice(ObjectNode root, String finishReason, boolean includeUsage) {
        ObjectNode choice = (ObjectNode) root.get("choices").get(0);
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        if (includeUsage) {
            root.putNull("usage");
        }
    }

    private ObjectNode usage(CompletionPlan plan) {
        ObjectNode usage = mapper.createObjectNode();
        usage.put("prompt_tokens", plan.promptTokens());
        usage.put("completion_tokens", plan.completionTokens());
        usage.put("total_tokens", plan.totalTokens());
        usage.putObject("prompt_tokens_details").put("cached_tokens", 0);
        usage.putObject("completion_tokens_details").put("reasoning_tokens", 0);
        return usage;
    }

    private String event(ObjectNode chunk) {
        return "data: " + mapper.writeValueAsString(chunk) + "\n\n";
    }
}
