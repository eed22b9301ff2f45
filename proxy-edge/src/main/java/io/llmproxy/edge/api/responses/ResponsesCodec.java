package io.llmproxy.edge.api.responses;

import io.llmproxy.edge.api.openai.OpenAiErrors;
import io.llmproxy.edge.chat.CanonicalRequest;
import io.llmproxy.edge.chat.ClientRequestException;
import io.llmproxy.edge.chat.ReencodingCodec;
import io.llmproxy.edge.api.responses.ResponseObjects.OutputItem;
import io.llmproxy.edge.api.responses.ResponseObjects.Usage;
import io.llmproxy.edge.gateway.GatewayError;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAI Responses client format, {@code POST /v1/responses}
 * (https://platform.openai.com/docs/api-reference/responses/create; object:
 * https://platform.openai.com/docs/api-reference/responses/object; stream:
 * https://platform.openai.com/docs/api-reference/responses-streaming), through the canonical model:
 * request decoding in {@link ResponsesRequest} / {@link ResponsesItems}, the whole answer here, the
 * stream in {@link ResponsesStream}.
 *
 * <p><b>Canonical → response</b>: one {@code message} item ({@code msg_…}, one {@code output_text}
 * part) when the answer has text, then one {@code function_call} item ({@code fc_…}, {@code call_id}
 * = the provider's tool call id) per tool call; {@code status} {@code completed}, or
 * {@code incomplete} with {@code incomplete_details.reason} {@code max_output_tokens}
 * (finish_reason length) / {@code content_filter}; usage prompt → {@code input_tokens} (cached
 * included, as OpenAI counts them), completion → {@code output_tokens}. Ids are {@code resp_} /
 * {@code msg_} / {@code fc_} + 32 hex digits, {@code created_at} in epoch seconds.
 *
 * <p><b>Errors</b>: OpenAI's {@code {"error":{"message","type","param","code"}}}; a stream that fails
 * after its first byte ends with {@code response.failed}.
 *
 * <p>Also keeps what {@code previous_response_id} needs ({@link #history}, {@link #conversation},
 * {@link #storedResponse}); the store itself is {@link ResponsesStore}.
 */
public final class ResponsesCodec extends ReencodingCodec {

    /** The usage event's endpoint name (client format {@code responses}). */
    public static final String ENDPOINT = "responses";

    /** What every event of one response repeats. */
    static final class Head {
        final String id;
        final long createdAt;
        String model;
        ResponseEcho echo;

        Head(String id, long createdAt) {
            this.id = id;
            this.createdAt = createdAt;
        }
    }

    private final Function<String, String> ids;
    private final Head head;
    private ResponsesRequest request;
    private ArrayNode history;
    private ResponsesStream stream;
    /** the whole answer as sent; parsed into {@link #whole} only when stored */
    private byte[] wholeBytes;
    private ObjectNode whole;

    public ResponsesCodec(JsonMapper json) {
        this(json, Clock.systemUTC(), ResponsesCodec::randomId);
    }

    /**
     * @param ids prefix ({@code resp_}, {@code msg_}, {@code fc_}) → a new id
     */
    ResponsesCodec(JsonMapper json, Clock clock, Function<String, String> ids) {
        super(json);
        this.ids = ids;
        this.head = new Head(ids.apply("resp_"), clock.millis() / 1000);
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** @return prefix + 32 random lower-case hex digits (128 random bits; HexFormat cost ~0.15 µs per id more) */
    static String randomId(String prefix) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int p = prefix.length();
        char[] id = new char[p + 32];
        prefix.getChars(0, p, id, 0);
        hex(random.nextLong(), id, p);
        hex(random.nextLong(), id, p + 16);
        return new String(id);
    }

    private static void hex(long bits, char[] into, int at) {
        for (int i = at + 15; i >= at; i--) {
            into[i] = HEX[(int) (bits & 15)];
            bits >>>= 4;
        }
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
     * @throws ClientRequestException for a body OpenAI's API refuses or a field this gateway cannot honour
     *                                (see {@link ResponsesRequest})
     */
    @Override
    public CanonicalRequest canonical(byte[] bytes) {
        request = ResponsesRequest.decode(json, bytes);
        head.echo = request.echo();
        return new CanonicalRequest(request.canonical(), request.model(), request.stream(), true);
    }

    /** @return the response id this request continues, or null (valid after {@link #canonical}) */
    public String previousResponseId() {
        return request.previousResponseId();
    }

    /** @return whether the response is to be stored (valid after {@link #canonical}) */
    public boolean store() {
        return request.store();
    }

    /**
     * Puts the items of the continued conversation before this request's input (after its
     * {@code instructions}, which are not carried over).
     *
     * @param items the stored conversation's items (inputs and outputs, oldest first)
     * @throws ClientRequestException when the stored items cannot be translated
     */
    public void history(ArrayNode items) {
        history = items;
        ArrayNode messages = (ArrayNode) request.canonical().get("messages");
        ArrayNode before = json.createArrayNode();
        ResponsesItems.toMessages(json, items, before);
        int at = request.echo().instructions() != null ? 1 : 0;
        for (int i = before.size() - 1; i >= 0; i--) {
            messages.insert(at, before.get(i));
        }
    }

    /** @return the whole conversation after this response: stored history, this input, this output */
    public ArrayNode conversation() {
        ArrayNode items = json.createArrayNode();
        if (history != null) {
            items.addAll(history);
        }
        items.addAll(request.inputItems());
        ObjectNode response = storedResponse();
        if (response != null) {
            items.addAll((ArrayNode) response.get("output"));
        }
        return items;
    }

    /** @return the id of the response this codec answers with ({@code resp_…}) */
    public String responseId() {
        return head.id;
    }

    /** @return the complete response object (whole answer, or a stream that completed), else null */
    public ObjectNode storedResponse() {
        if (whole == null && wholeBytes != null) {
            whole = (ObjectNode) json.readTree(wholeBytes);
        }
        return whole != null ? whole : stream == null ? null : stream.finalResponse();
    }

    /** @return whether the whole response is known (a whole answer, or a stream that completed); no parsing */
    public boolean hasStoredResponse() {
        return wholeBytes != null || stream != null && stream.completed();
    }

    @Override
    public String streamContentType() {
        return "text/event-stream";
    }

    @Override
    public byte[] response(byte[] canonical) {
        JsonNode completion = json.readTree(canonical);
        JsonNode choice = completion.path("choices").path(0);
        JsonNode message = choice.path("message");
        if (head.model == null) {
            head.model = completion.path("model").asString("");
        }
        List<OutputItem> output = new ArrayList<>(2);
        String text = message.path("content").isString() ? message.get("content").asString()
                : message.path("refusal").isString() ? message.get("refusal").asString() : "";
        JsonNode calls = message.path("tool_calls");
        if (!text.isEmpty() || calls.isEmpty()) {
            output.add(OutputItem.message(ids.apply("msg_"), "completed", text));
        }
        for (JsonNode call : calls) {
            JsonNode function = call.path("function");
            output.add(OutputItem.functionCall(ids.apply("fc_"), "completed", call.path("id").asString(""),
                    function.path("name").asString(""), function.path("arguments").asString("")));
        }
        String incomplete = ResponseObjects.incompleteReason(choice.path("finish_reason").asString("stop"));
        echo();
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = json.createGenerator(out)) {
            ResponseObjects.response(g, head, incomplete == null ? "completed" : "incomplete", incomplete, output,
                    Usage.of(completion.path("usage")), null, null);
        }
        wholeBytes = out.toByteArray();
        return wholeBytes;
    }

    private ResponseEcho echo() {
        if (head.echo == null) {
            // only when response() runs without canonical() (benchmarks of the encoder alone)
            head.echo = ResponsesRequest.decode(json, "{\"model\":\"m\",\"input\":\"x\"}".getBytes()).echo();
        }
        return head.echo;
    }

    private ResponsesStream stream() {
        if (stream == null) {
            echo();
            stream = new ResponsesStream(json, ids, head);
        }
        return stream;
    }

    @Override
    protected void chunk(JsonNode chunk, ByteArrayOutputStream out) {
        stream().chunk(chunk, out);
    }

    @Override
    protected void finish(ByteArrayOutputStream out) {
        stream().finish(out);
    }

    @Override
    public byte[] error(GatewayError error) {
        return OpenAiErrors.format(json).error(error);
    }

    @Override
    public byte[] streamError(GatewayError error) {
        return stream().failed(error.code(), error.message());
    }
}
