package io.llmproxy.simulator.core;

/**
 * Why a simulated completion ended, in provider-neutral terms. Each wire format maps it to its own
 * vocabulary (OpenAI: {@code "stop"} / {@code "length"}; Anthropic would say {@code "end_turn"} /
 * {@code "max_tokens"}).
 */
public enum FinishReason {
    /** The completion reached its natural, hash-determined length. */
    STOP,
    /** The completion was cut at the request's output-token limit. */
    LENGTH
}
