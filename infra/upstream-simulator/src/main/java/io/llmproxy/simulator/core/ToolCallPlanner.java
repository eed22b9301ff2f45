package io.llmproxy.simulator.core;

import java.util.ArrayList;
import java.util.List;

/**
 * Deterministic tool calls. A request asks for one when its model name contains {@value #TOOLS_MODEL_MARK}
 * (e.g. {@code sim-tools}), it declares at least one tool, and its last message is not a tool
 * result: the answer is then a call of the first declared tool with arguments
 * {@code {"query":"<first two words of the plan's completion>"}}, streamed in pieces of at most
 * {@value #PIECE_CHARS} characters. Otherwise (e.g. the follow-up request carrying the tool result)
 * the answer is the usual text completion.
 */
public final class ToolCallPlanner {

    /** Model-name mark that enables tool calls. */
    public static final String TOOLS_MODEL_MARK = "sim-tool"; // matches sim-tools and sim-tool-call (core/SimScenario)
    /** Largest argument piece of a streamed tool call, in characters. */
    public static final int PIECE_CHARS = 8;

    private ToolCallPlanner() {
    }

    /**
     * @param model              the requested model name
     * @param firstToolName      the first declared tool's name, or null when none was declared
     * @param lastIsToolResult   whether the conversation's last message is a tool result
     * @param plan               the request's text plan (source of the deterministic arguments and id)
     * @return the tool call to answer with, or null for a text answer
     */
    public static ToolCall plan(String model, String firstToolName, boolean lastIsToolResult, CompletionPlan plan) {
        if (firstToolName == null || lastIsToolResult || !model.contains(TOOLS_MODEL_MARK)) {
            return null;
        }
        String query = plan.tokens().get(0) + (plan.tokens().size() > 1 ? plan.tokens().get(1) : "");
        String arguments = "{\"query\":\"" + query + "\"}";
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < arguments.length(); i += PIECE_CHARS) {
            pieces.add(arguments.substring(i, Math.min(arguments.length(), i + PIECE_CHARS)));
        }
        return new ToolCall(plan.idSuffix(24), firstToolName, arguments, pieces);
    }
}
