package io.llmproxy.edge.chat;

import io.llmproxy.edge.provider.UpstreamFailure;

/**
 * An error for the client in canonical (OpenAI) terms; each {@link ClientCodec} renders it in its
 * own API's error format.
 *
 * @param status  HTTP status the client gets (400, 401, 403, 404, 413, 429, 502, 503, 504…)
 * @param type    OpenAI error {@code type} (e.g. {@code invalid_request_error}, {@code rate_limit_error},
 *                {@code permission_error}, {@code server_error})
 * @param code    OpenAI error {@code code} (e.g. {@code model_not_found}, {@code invalid_api_key}), or null
 * @param message human-readable; never contains a credential
 * @param param   the request field at fault, or null
 */
public record ClientError(int status, String type, String code, String message, String param) {

    public static ClientError of(UpstreamFailure failure) {
        return new ClientError(failure.status(), failure.type(), failure.code(), failure.message(), null);
    }

    /** 400 {@code invalid_request_error}, code {@code invalid_<param>} (or {@code invalid_json} without param). */
    public static ClientError badRequest(String message, String param) {
        return new ClientError(400, "invalid_request_error", param == null ? "invalid_json" : "invalid_" + param, message, param);
    }
}
