package io.llmproxy.edge.gateway;

import io.llmproxy.edge.auth.ApiKeyAuthenticator;
import io.llmproxy.edge.provider.UpstreamFailure;
import io.llmproxy.edge.quota.QuotaDecision;
import io.llmproxy.kernel.usage.UsageRecorded.Outcome;
import java.util.Locale;
import java.util.Map;

/**
 * The one error type of the edge: every way a chat or embeddings call can fail before or instead of
 * its answer (a refusal by the edge, a quota refusal, a provider's failure) is one of these, and
 * each client format renders it ({@link ErrorFormat}: OpenAI, Anthropic, Ollama). Terms are the
 * canonical model's (OpenAI error {@code type} and {@code code}); a format maps them to its own.
 *
 * @param kind       what went wrong (stable, for code: routing decides on it which failures to retry)
 * @param status     HTTP status the client gets (400, 401, 403, 404, 413, 429, 500, 502, 503, 504…)
 * @param type       OpenAI error {@code type} ({@code invalid_request_error}, {@code permission_error},
 *                   {@code rate_limit_error}, {@code server_error}, or a quota refusal's type)
 * @param code       OpenAI error {@code code} ({@code model_not_found}, {@code invalid_api_key}…), or null
 * @param message    human-readable; may name a provider by its configured name, never contains a credential
 * @param param      the request field at fault, or null
 * @param retryAfter {@code Retry-After} value in seconds, or null
 * @param provider   the configured name of the provider that failed (upstream kinds), else null
 * @param reason     the usage event's {@code refusalReason} (e.g. {@code model_not_allowed},
 *                   {@code quota:API_KEY:tokensPerMinute}), or null when the call was not refused by the edge
 * @param headers    more response headers (the {@code x-ratelimit-*} of a quota refusal); never null
 */
public record GatewayError(Kind kind, int status, String type, String code, String message, String param,
                           String retryAfter, String provider, String reason, Map<String, String> headers) {

    /** What went wrong, whatever the client format. */
    public enum Kind {
        /** 503: the edge has not loaded its snapshot of the read model yet ({@code Retry-After: 1}) */
        NOT_READY,
        /** 401: missing, unknown, revoked or expired API key */
        UNAUTHENTICATED,
        /** 403: the key's tenant is suspended */
        TENANT_SUSPENDED,
        /** 400: a body the client API or the provider cannot take */
        INVALID_REQUEST,
        /** 400 {@code invalid_content_type}, 415 {@code unsupported_media_type}, 408 {@code request_timeout}: a body the edge cannot read */
        UNREADABLE_BODY,
        /** 413: a request body larger than {@code llmproxy.edge.max-request-bytes} */
        REQUEST_TOO_LARGE,
        /** 404: no route of that public model name for the key's tenant */
        MODEL_NOT_FOUND,
        /** 403: the key's allow-list does not name the model */
        MODEL_NOT_ALLOWED,
        /** 502: the route's provider is unknown to this edge or has no credential */
        PROVIDER_UNAVAILABLE,
        /** 429 (limit reached) or 503 (quota store down and the tenant fails closed) */
        QUOTA,
        /** the provider answered with an error, or an answer that could not be read (status mapped by {@code UpstreamFailures}) */
        UPSTREAM,
        /** 504: the provider did not answer in time */
        UPSTREAM_TIMEOUT,
        /** 502: the provider could not be reached */
        UPSTREAM_UNREACHABLE,
        /** 500: a fault of the edge itself */
        INTERNAL,
        /** an HTTP-level refusal outside the API handlers (unknown URL, method not allowed, URI or headers too long, connection limit) */
        HTTP
    }

    public GatewayError {
        headers = headers == null ? Map.of() : headers;
    }

    /** @return how the usage event records the call: 5xx {@code UPSTREAM_ERROR}, else {@code CLIENT_ERROR} */
    public Outcome outcome() {
        return status >= 500 ? Outcome.UPSTREAM_ERROR : Outcome.CLIENT_ERROR;
    }

    /** @return this error as an exception, for a reactive pipeline to carry to where it is rendered */
    public GatewayException exception() {
        return new GatewayException(this);
    }

    /**
     * A plain error in canonical terms, of the kind its status says: 400 INVALID_REQUEST, 401
     * UNAUTHENTICATED, 408/415 UNREADABLE_BODY, 413 REQUEST_TOO_LARGE, 500 INTERNAL, any other
     * {@link Kind#HTTP}. For HTTP-level refusals outside the API handlers; the pipeline uses the named
     * factories below.
     */
    public static GatewayError of(int status, String type, String code, String message, String param) {
        Kind kind = switch (status) {
            case 400 -> Kind.INVALID_REQUEST;
            case 401 -> Kind.UNAUTHENTICATED;
            case 408, 415 -> Kind.UNREADABLE_BODY;
            case 413 -> Kind.REQUEST_TOO_LARGE;
            case 500 -> Kind.INTERNAL;
            default -> Kind.HTTP;
        };
        return new GatewayError(kind, status, type, code, message, param, null, null, null, Map.of());
    }

    /**
     * @param status            the authenticator's verdict
     * @param missingKeyMessage the client format's message for a request without a key
     * @return the refusal of that verdict (401, 403 {@code tenant_suspended}, 503 {@code not_ready}), or null for {@code OK}
     */
    public static GatewayError authentication(ApiKeyAuthenticator.Status status, String missingKeyMessage) {
        return switch (status) {
            case OK -> null;
            case NOT_READY -> new GatewayError(Kind.NOT_READY, 503, "server_error", "not_ready",
                    "The gateway is starting and has not loaded its configuration yet; retry shortly.", null,
                    Integer.toString(ApiKeyAuthenticator.NOT_READY_RETRY_AFTER_SECONDS), null, "not_ready", Map.of());
            case TENANT_SUSPENDED -> new GatewayError(Kind.TENANT_SUSPENDED, 403, "permission_error", "tenant_suspended",
                    "The organization of this API key is suspended.", null, null, null, "tenant_suspended", Map.of());
            case MISSING, UNKNOWN, REVOKED, EXPIRED -> new GatewayError(Kind.UNAUTHENTICATED, 401, "invalid_request_error",
                    "invalid_api_key", switch (status) {
                        case MISSING -> missingKeyMessage;
                        case REVOKED -> "This API key has been revoked.";
                        case EXPIRED -> "This API key has expired.";
                        default -> "Incorrect API key provided.";
                    }, null, null, null, "invalid_api_key:" + status.name().toLowerCase(Locale.ROOT), Map.of());
        };
    }

    /** 400 {@code invalid_request_error}, code {@code invalid_<param>} (or {@code invalid_json} without param). */
    public static GatewayError badRequest(String message, String param) {
        return new GatewayError(Kind.INVALID_REQUEST, 400, "invalid_request_error",
                param == null ? "invalid_json" : "invalid_" + param, message, param, null, null, null, Map.of());
    }

    /**
     * A request body the edge cannot read, before any routing.
     *
     * @param status 400, 408 or 415
     * @param code   {@code invalid_content_type}, {@code request_timeout} or {@code unsupported_media_type}
     */
    public static GatewayError requestBody(int status, String code, String message) {
        return new GatewayError(Kind.UNREADABLE_BODY, status, "invalid_request_error", code, message, null, null, null, null,
                Map.of());
    }

    /** 413 {@code request_too_large}. */
    public static GatewayError requestTooLarge() {
        return new GatewayError(Kind.REQUEST_TOO_LARGE, 413, "invalid_request_error", "request_too_large",
                "Request body is larger than this gateway accepts.", null, null, null, null, Map.of());
    }

    /** 404 {@code model_not_found}, param {@code model}. */
    public static GatewayError modelNotFound(String model) {
        return new GatewayError(Kind.MODEL_NOT_FOUND, 404, "invalid_request_error", "model_not_found",
                "The model `" + model + "` does not exist or you do not have access to it.", "model", null, null, null, Map.of());
    }

    /** 403 {@code model_not_allowed}, usage reason {@code model_not_allowed}. */
    public static GatewayError modelNotAllowed(String model) {
        return new GatewayError(Kind.MODEL_NOT_ALLOWED, 403, "permission_error", "model_not_allowed",
                "This API key is not allowed to use the model `" + model + "`.", "model", null, null, "model_not_allowed", Map.of());
    }

    /** 502 {@code provider_unavailable}: the route's provider is not configured on this edge. */
    public static GatewayError providerUnavailable(String model) {
        return new GatewayError(Kind.PROVIDER_UNAVAILABLE, 502, "server_error", "provider_unavailable",
                "The provider for model `" + model + "` is not available on this gateway.", null, null, null, null, Map.of());
    }

    /** A quota refusal with its {@code Retry-After} (seconds), usage reason and {@code x-ratelimit-*} headers. */
    public static GatewayError quota(QuotaDecision.Refusal refusal, Map<String, String> rateLimitHeaders) {
        return new GatewayError(Kind.QUOTA, refusal.status(), refusal.type(), refusal.code(), refusal.message(), null,
                Long.toString(refusal.retryAfterSeconds()), null, refusal.reason(), rateLimitHeaders);
    }

    /** A provider's failure as a translator mapped it ({@code upstream_timeout} → {@link Kind#UPSTREAM_TIMEOUT}). */
    public static GatewayError upstream(UpstreamFailure failure, String providerName) {
        Kind kind = "upstream_timeout".equals(failure.code()) ? Kind.UPSTREAM_TIMEOUT : Kind.UPSTREAM;
        return new GatewayError(kind, failure.status(), failure.type(), failure.code(), failure.message(), null,
                failure.retryAfter(), providerName, null, Map.of());
    }

    /** 504 {@code upstream_timeout}: no answer (or no next stream chunk) within the idle timeout. */
    public static GatewayError upstreamTimeout(String providerName) {
        return new GatewayError(Kind.UPSTREAM_TIMEOUT, 504, "server_error", "upstream_timeout",
                providerName + " did not answer in time", null, null, providerName, null, Map.of());
    }

    /** 502 {@code upstream_unreachable}: connection refused, reset or not established. */
    public static GatewayError upstreamUnreachable(String providerName) {
        return new GatewayError(Kind.UPSTREAM_UNREACHABLE, 502, "server_error", "upstream_unreachable",
                providerName + " could not be reached", null, null, providerName, null, Map.of());
    }

    /** 502 with {@code code}: a provider answer this edge could not take (too large, untranslatable, cut short). */
    public static GatewayError upstreamUnusable(String code, String message, String providerName) {
        return new GatewayError(Kind.UPSTREAM, 502, "server_error", code, message, null, null, providerName, null, Map.of());
    }

    /** 500 {@code internal_error}: a fault of the edge; the call still gets its usage event. */
    public static GatewayError internal() {
        return new GatewayError(Kind.INTERNAL, 500, "server_error", "internal_error",
                "The gateway failed to handle this request.", null, null, null, null, Map.of());
    }
}
