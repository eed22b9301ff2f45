package io.llmproxy.kernel.usage;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.time.Instant;
import java.util.List;

/**
 * Event: one finished call through the edge (success, client error, upstream error or
 * cancelled stream). Published to Kafka topic {@value #TOPIC}, keyed by {@code tenantId}, as
 * JSON with these field names. Consumers are idempotent by {@code eventId}.
 *
 * @param eventId          unique id of this event (UUID string); the idempotence key
 * @param schemaVersion    {@value #SCHEMA_VERSION}
 * @param tenantId         tenant of the API key; null when the key was not recognised
 * @param apiKeyId         API key id; null when the key was not recognised
 * @param endpoint         the client API called, e.g. {@code chat.completions}
 * @param model            public model name the client asked for (may be null on bad input)
 * @param providerId       provider the call went to; null when it never left the edge
 * @param providerModel    the provider's model name; null when it never left the edge
 * @param stream           whether the client asked for a stream
 * @param promptTokens     input tokens as reported by the provider ({@code usage.prompt_tokens}), 0 if unknown
 * @param completionTokens output tokens as reported by the provider ({@code usage.completion_tokens}), 0 if unknown
 * @param totalTokens      prompt + completion tokens
 * @param latencyMs        time from request received to last byte sent, milliseconds
 * @param httpStatus       HTTP status the client got (499 for a client that went away)
 * @param outcome          {@link Outcome} name
 * @param occurredAt       when the call finished (UTC)
 * @param refusalReason    why the edge refused the call, e.g. {@code quota:API_KEY:tokensPerMinute},
 *                         {@code tenant_suspended}, {@code model_not_allowed}; null when it was not refused
 * @param usageEstimated   true when the provider never reported usage (a stream that was cancelled or
 *                         broke before its usage chunk): prompt tokens are then the edge's estimate
 *                         (⌈characters / 4⌉ + 4 per message + 3) and completion tokens the content deltas seen
 * @param userId           owner user of the API key (schema 2); null for keys without an owner or for v1 events
 * @param cachedPromptTokens prompt tokens served from the provider's prompt cache, a subset of
 *                         {@code promptTokens} (OpenAI {@code usage.prompt_tokens_details.cached_tokens},
 *                         Anthropic {@code usage.cache_read_input_tokens}); 0 if unknown or for v1 events
 * @param promptText       (schema 3) only when the key's tenant opted in to content capture
 *                         ({@code PUT /admin/v1/tenants/{id}/audit-content}), else null: the text of the
 *                         request, one {@code role: text} line per message (chat) or one line per input
 *                         text (embeddings), masked by {@link io.llmproxy.kernel.audit.SecretMasker} and
 *                         at most {@value #MAX_TEXT_CHARS} characters (then ending with {@value #TRUNCATED});
 *                         null for v1/v2 events
 * @param completionText   (schema 3) likewise: the assistant text of the first choice the client got (the
 *                         content deltas seen so far for a stream); null for embeddings, for tenants that did
 *                         not opt in and for v1/v2 events
 * @param attempts         (schema 4) every upstream attempt, in order, the one that served marked
 *                         {@code served} (issue #11: retries and failover); empty when the call never
 *                         left the edge; null for v1–v3 events
 * @param principal        (schema 4) who called: {@code api-key:<apiKeyId>} or {@code user:<sub>} (a Keycloak
 *                         access token, issue #10); null when the caller was not recognised and for v1–v3
 *                         events (read them as {@code api-key:<apiKeyId>})
 */
public record UsageRecorded(String eventId, int schemaVersion, String tenantId, String apiKeyId,
                            String endpoint, String model, String providerId, String providerModel,
                            boolean stream, long promptTokens, long completionTokens, long totalTokens,
                            long latencyMs, int httpStatus, Outcome outcome, Instant occurredAt,
                            String refusalReason, boolean usageEstimated, String userId,
                            @JsonSetter(nulls = Nulls.AS_EMPTY) long cachedPromptTokens,
                            String promptText, String completionText, List<UsageAttempt> attempts, String principal) {

    /** An event without attempts (schema ≤ 3, and tests). */
    public UsageRecorded(String eventId, int schemaVersion, String tenantId, String apiKeyId,
                         String endpoint, String model, String providerId, String providerModel,
                         boolean stream, long promptTokens, long completionTokens, long totalTokens,
                         long latencyMs, int httpStatus, Outcome outcome, Instant occurredAt,
                         String refusalReason, boolean usageEstimated, String userId, long cachedPromptTokens,
                         String promptText, String completionText) {
        this(eventId, schemaVersion, tenantId, apiKeyId, endpoint, model, providerId, providerModel, stream,
                promptTokens, completionTokens, totalTokens, latencyMs, httpStatus, outcome, occurredAt, refusalReason,
                usageEstimated, userId, cachedPromptTokens, promptText, completionText, null,
                apiKeyId == null ? null : "api-key:" + apiKeyId);
    }

    /** Kafka topic of usage events. */
    public static final String TOPIC = "llmproxy.usage.v1";
    /**
     * Current schema version of this record on the wire. 2 added {@code userId} and
     * {@code cachedPromptTokens}; a version-1 message reads with null and 0 for them. 3 added
     * {@code promptText} and {@code completionText}; older messages read with null for them. 4 added
     * {@code attempts} and {@code principal}; older messages read with null.
     */
    public static final int SCHEMA_VERSION = 4;

    /** Most characters of {@code promptText} or {@code completionText} before {@link #TRUNCATED} (32 KiB of chars). */
    public static final int MAX_TEXT_CHARS = 32 * 1024;

    /** Appended to a text cut at {@link #MAX_TEXT_CHARS}. */
    public static final String TRUNCATED = "\n[truncated]";

    /**
     * @return {@code text} masked by {@link io.llmproxy.kernel.audit.SecretMasker} and cut to
     *         {@link #MAX_TEXT_CHARS} characters (never inside a surrogate pair) followed by
     *         {@link #TRUNCATED} when longer; null stays null. Masks before cutting, so that a cut
     *         cannot leave a secret too short to be recognised (the text is first cut to twice the
     *         cap to bound the work).
     */
    public static String capturedText(String text) {
        if (text == null) {
            return null;
        }
        String masked = io.llmproxy.kernel.audit.SecretMasker.mask(cut(text, 2 * MAX_TEXT_CHARS));
        boolean longer = masked.length() > MAX_TEXT_CHARS || text.length() > 2 * MAX_TEXT_CHARS;
        return longer ? cut(masked, MAX_TEXT_CHARS) + TRUNCATED : masked;
    }

    private static String cut(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
        return s.substring(0, end);
    }

    /** How a call ended. */
    public enum Outcome {
        /** 2xx from the provider, fully delivered. */
        SUCCESS,
        /** Refused by the edge or the provider because of the request (4xx). */
        CLIENT_ERROR,
        /** The provider failed, timed out or broke the stream (5xx, 502, 504). */
        UPSTREAM_ERROR,
        /** The client disconnected before the end; tokens are those seen so far. */
        CANCELLED
    }
}
