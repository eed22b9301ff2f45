package io.llmproxy.edge.provider;

/** How a provider frames a streamed response body. */
public enum StreamFraming {
    /** Server-sent events (OpenAI, Azure OpenAI, Anthropic, Cohere, Mistral). */
    SSE,
    /**
     * Newline-delimited JSON, one object per line (Ollama's native API); each line reaches
     * {@link ChatTranslator#streamEvent} as an {@link io.llmproxy.edge.stream.SseEvent} with no event
     * name and the line as its data.
     */
    NDJSON
}
