package io.llmproxy.edge.http;

import io.llmproxy.edge.gateway.GatewayError;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The request framing rules of RFC 9112 §6.1 that Netty's HTTP decoder does not enforce. Netty
 * decodes a body as chunked when {@code chunked} appears anywhere in {@code Transfer-Encoding}, and
 * otherwise ignores the header (it then reads {@code Content-Length}, or no body at all). A proxy in
 * front of the edge that reads the same bytes by the RFC would see a different request boundary: the
 * classic request-smuggling desync. So a request is refused, and its connection closed, when:
 * <ul>
 *   <li>it is HTTP/1.0 and has a {@code Transfer-Encoding} (§6.1: faulty framing) → 400;</li>
 *   <li>its last transfer coding is not {@code chunked}, or {@code chunked} is applied more than once
 *       (§6.1: the length cannot be determined; §7: chunked only once, and last) → 400;</li>
 *   <li>another coding comes before {@code chunked} ({@code gzip, chunked}): the edge decodes none of
 *       them (§6.1: SHOULD answer 501) → 501.</li>
 * </ul>
 * {@code chunked} alone, in any letter case and across any number of header lines, is read as Netty reads it.
 * Also the other requests that parsers on the path could read differently ({@link #refusalBeforeRouting}),
 * which Netty's decoder accepts: an encoded slash in the path; an HTTP/1.1 request with no
 * {@code Host} or more than one (RFC 9112 §3.2: 400); a version other than HTTP/1.0 and HTTP/1.1
 * ({@code HTTP/2.5}, which Netty echoed in its answer's status line; RFC 9110 §15.6.6: 505).
 */
final class TransferCodings {

    private TransferCodings() {
    }

    /**
     * @return the refusal of a request whose version, host, path or body framing is ambiguous: a version other
     *         than HTTP/1.0 and 1.1 (505 {@code http_version_not_supported}), an HTTP/1.1 request without
     *         exactly one {@code Host} (400 {@code invalid_host}), an encoded slash or backslash in
     *         the path (Tomcat refuses it too), or a {@code Transfer-Encoding} other than {@code chunked}
     *         alone ({@link TransferCodings}); null when there is none
     */
    static GatewayError refusalBeforeRouting(HttpRequest request) {
        HttpVersion version = request.protocolVersion();
        if (!"HTTP".equals(version.protocolName()) || version.majorVersion() != 1 || version.minorVersion() > 1) {
            return GatewayError.of(505, "invalid_request_error", "http_version_not_supported",
                    "This port speaks HTTP/1.0 and HTTP/1.1 only.", null);
        }
        if (version.minorVersion() == 1 && request.headers().getAll(HttpHeaderNames.HOST).size() != 1) {
            return GatewayError.of(400, "invalid_request_error", "invalid_host",
                    "An HTTP/1.1 request must have exactly one Host header.", null);
        }
        if (hasEncodedSlash(request.uri())) {
            return GatewayError.of(400, "invalid_request_error", "invalid_path",
                    "The request path holds an encoded '/' or '\\' (%2F, %5C), which this gateway does not accept.", null);
        }
        return refusal(request);
    }

    /** @return whether the path of {@code uri} (before any query) holds {@code %2F} or {@code %5C} in either case */
    static boolean hasEncodedSlash(String uri) {
        int end = uri.indexOf('?');
        end = end < 0 ? uri.length() : end;
        for (int i = uri.indexOf('%'); i >= 0 && i + 2 < end; i = uri.indexOf('%', i + 1)) {
            char a = uri.charAt(i + 1);
            char b = Character.toLowerCase(uri.charAt(i + 2));
            if ((a == '2' && b == 'f') || (a == '5' && b == 'c')) {
                return true;
            }
        }
        return false;
    }

    /** @return the refusal for {@code request}'s {@code Transfer-Encoding}, or null when it has none or only {@code chunked} */
    static GatewayError refusal(HttpRequest request) {
        List<String> values = request.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (values.isEmpty()) {
            return null;
        }
        if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            return invalid("An HTTP/1.0 request cannot have a Transfer-Encoding: send the body with Content-Length.");
        }
        List<String> codings = new ArrayList<>(2);
        for (String value : values) {
            for (String coding : value.split(",", -1)) {
                String name = coding.trim().toLowerCase(Locale.ROOT);
                if (!name.isEmpty()) {
                    codings.add(name);
                }
            }
        }
        if (codings.isEmpty() || !codings.getLast().equals("chunked") || codings.indexOf("chunked") != codings.size() - 1) {
            return invalid("The request's Transfer-Encoding must end with chunked, once: the body's length cannot be determined.");
        }
        if (codings.size() > 1) {
            return GatewayError.of(501, "invalid_request_error", "unsupported_transfer_encoding",
                    "Transfer codings other than chunked are not supported: send the body with chunked alone or with Content-Length.",
                    null);
        }
        return null;
    }

    private static GatewayError invalid(String message) {
        return GatewayError.of(400, "invalid_request_error", "invalid_transfer_encoding", message, null);
    }
}
