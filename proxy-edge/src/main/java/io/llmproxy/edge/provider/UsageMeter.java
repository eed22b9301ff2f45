package io.llmproxy.edge.provider;

/**
 * What a translator knows about the tokens of its call; the usage event and the quota settlement
 * read it when the call finishes. Implemented by {@link ChatTranslator} and {@link EmbeddingsTranslator}.
 */
public interface UsageMeter {

    /** @return usage reported so far (tokens), or an estimate when the provider did not report it */
    TokenUsage usageSoFar();

    /** @return true once the provider has reported usage for this call */
    boolean usageReported();
}
