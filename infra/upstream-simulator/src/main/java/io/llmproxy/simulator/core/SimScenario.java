package io.llmproxy.simulator.core;

import java.util.List;
import java.util.Locale;

/**
 * What a chat request asks the simulator to do besides answering normally, read from the model
 * name (callers behind a gateway cannot set headers) or the {@value #FAULT_HEADER} header:
 * <ul>
 *   <li><b>tool call</b>: a model name containing {@code sim-tool} (e.g. {@code sim-tool-call} or {@code sim-tools}) and a
 *       request with at least one tool → the answer is one call of the first tool with arguments
 *       {@code {"query": <text of the last user message>}}, finish reason "tool call";</li>
 *   <li><b>mid-stream error</b>: model name containing {@code sim-midstream-error} (or
 *       {@code sim-fault-midstream-error}, the spelling of {@code http/SimulatorKnobs}) or header
 *       {@code x-sim-fault: midstream-error} → a stream sends half the tokens (at least one), then the
 *       provider's in-stream error, then ends;</li>
 *   <li><b>cut</b>: model name containing {@code sim-cut} (or {@code sim-fault-cut}) or header {@code x-sim-fault: cut} → a stream
 *       sends half the tokens and ends without its closing events.</li>
 * </ul>
 * Non-streamed answers ignore the faults.
 */
public record SimScenario(boolean toolCall, Fault fault) {

    /** Request header asking for a stream fault: {@code midstream-error} or {@code cut}. */
    public static final String FAULT_HEADER = "x-sim-fault";

    /** A stream fault. */
    public enum Fault { NONE, MIDSTREAM_ERROR, CUT }

    /**
     * @param model       the requested model name
     * @param faultHeader the {@value #FAULT_HEADER} value, or null
     * @param hasTools    whether the request declares tools
     * @throws IllegalArgumentException for an unknown header value
     */
    public static SimScenario of(String model, String faultHeader, boolean hasTools) {
        Fault fault = Fault.NONE;
        if (model.contains("sim-midstream-error") || model.contains("sim-fault-midstream-error")) {
            fault = Fault.MIDSTREAM_ERROR;
        } else if (model.contains("sim-cut") || model.contains("sim-fault-cut")) {
            fault = Fault.CUT;
        }
        if (faultHeader != null) {
            fault = switch (faultHeader.trim().toLowerCase(Locale.ROOT)) {
                case "midstream-error" -> Fault.MIDSTREAM_ERROR;
                case "cut" -> Fault.CUT;
                case "none", "" -> Fault.NONE;
                default -> throw new IllegalArgumentException("Invalid " + FAULT_HEADER + " header '" + faultHeader
                        + "': expected midstream-error, cut or none.");
            };
        }
        return new SimScenario(hasTools && model.contains("sim-tool"), fault);
    }

    /** @return how many tokens a faulty stream sends before its fault: half, at least one */
    public static int tokensBeforeFault(int tokens) {
        return Math.max(1, tokens / 2);
    }

    /** The text of the last user message (its text parts joined by a space), or "" when none. */
    public static String lastUserText(List<NormalizedMessage> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if ("user".equals(messages.get(i).role())) {
                return String.join(" ", messages.get(i).textParts());
            }
        }
        return "";
    }
}
