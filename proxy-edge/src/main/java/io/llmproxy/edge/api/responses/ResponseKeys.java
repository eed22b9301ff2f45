package io.llmproxy.edge.api.responses;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.SerializableString;
import tools.jackson.core.io.SerializedString;

/**
 * The property names of the Responses API's objects and stream events, encoded once: a generator
 * writes a {@link SerializedString}'s bytes as they are instead of encoding the name at every event.
 */
final class ResponseKeys {

    static final SerializableString ANNOTATIONS = new SerializedString("annotations");
    static final SerializableString ARGUMENTS = new SerializedString("arguments");
    static final SerializableString BACKGROUND = new SerializedString("background");
    static final SerializableString CACHED_TOKENS = new SerializedString("cached_tokens");
    static final SerializableString CALL_ID = new SerializedString("call_id");
    static final SerializableString CODE = new SerializedString("code");
    static final SerializableString CONTENT = new SerializedString("content");
    static final SerializableString CONTENT_INDEX = new SerializedString("content_index");
    static final SerializableString CREATED_AT = new SerializedString("created_at");
    static final SerializableString DELTA = new SerializedString("delta");
    static final SerializableString EFFORT = new SerializedString("effort");
    static final SerializableString ERROR = new SerializedString("error");
    static final SerializableString FORMAT = new SerializedString("format");
    static final SerializableString ID = new SerializedString("id");
    static final SerializableString INCOMPLETE_DETAILS = new SerializedString("incomplete_details");
    static final SerializableString INPUT_TOKENS = new SerializedString("input_tokens");
    static final SerializableString INPUT_TOKENS_DETAILS = new SerializedString("input_tokens_details");
    static final SerializableString INSTRUCTIONS = new SerializedString("instructions");
    static final SerializableString ITEM = new SerializedString("item");
    static final SerializableString ITEM_ID = new SerializedString("item_id");
    static final SerializableString LOGPROBS = new SerializedString("logprobs");
    static final SerializableString MAX_OUTPUT_TOKENS = new SerializedString("max_output_tokens");
    static final SerializableString MESSAGE = new SerializedString("message");
    static final SerializableString METADATA = new SerializedString("metadata");
    static final SerializableString MODEL = new SerializedString("model");
    static final SerializableString NAME = new SerializedString("name");
    static final SerializableString OBJECT = new SerializedString("object");
    static final SerializableString OUTPUT = new SerializedString("output");
    static final SerializableString OUTPUT_INDEX = new SerializedString("output_index");
    static final SerializableString OUTPUT_TOKENS = new SerializedString("output_tokens");
    static final SerializableString OUTPUT_TOKENS_DETAILS = new SerializedString("output_tokens_details");
    static final SerializableString PARALLEL_TOOL_CALLS = new SerializedString("parallel_tool_calls");
    static final SerializableString PART = new SerializedString("part");
    static final SerializableString PREVIOUS_RESPONSE_ID = new SerializedString("previous_response_id");
    static final SerializableString REASON = new SerializedString("reason");
    static final SerializableString REASONING = new SerializedString("reasoning");
    static final SerializableString REASONING_TOKENS = new SerializedString("reasoning_tokens");
    static final SerializableString RESPONSE = new SerializedString("response");
    static final SerializableString ROLE = new SerializedString("role");
    static final SerializableString SEQUENCE_NUMBER = new SerializedString("sequence_number");
    static final SerializableString STATUS = new SerializedString("status");
    static final SerializableString STORE = new SerializedString("store");
    static final SerializableString SUMMARY = new SerializedString("summary");
    static final SerializableString TEMPERATURE = new SerializedString("temperature");
    static final SerializableString TEXT = new SerializedString("text");
    static final SerializableString TOOL_CHOICE = new SerializedString("tool_choice");
    static final SerializableString TOOLS = new SerializedString("tools");
    static final SerializableString TOP_P = new SerializedString("top_p");
    static final SerializableString TOTAL_TOKENS = new SerializedString("total_tokens");
    static final SerializableString TRUNCATION = new SerializedString("truncation");
    static final SerializableString TYPE = new SerializedString("type");
    static final SerializableString USAGE = new SerializedString("usage");
    static final SerializableString USER = new SerializedString("user");

    private ResponseKeys() {
    }

    /** Writes {@code "<name>":"<value>"}. */
    static void string(JsonGenerator g, SerializableString name, String value) {
        g.writeName(name);
        g.writeString(value);
    }
}
