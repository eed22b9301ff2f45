package io.llmproxy.edge.http;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import reactor.core.publisher.Mono;

/**
 * Reads the JSON body of a client API request after checking its {@code Content-Type}, so that no
 * media-type oddity reaches the framework's body readers (which answer it with 500). Accepted:
 * <ul>
 *   <li>no {@code Content-Type} (read as JSON);</li>
 *   <li>{@code application/json} and {@code application/*+json};</li>
 *   <li>on the Ollama API ({@code /api/*}) also {@code application/x-www-form-urlencoded}, what
 *       {@code curl -d} sends and what Ollama's own documentation uses (Ollama ignores the header);</li>
 *   <li>with no charset, or any charset the JVM knows: UTF-8 and US-ASCII bodies are read as they
 *       are, others are decoded and re-encoded as UTF-8 (RFC 8259 JSON is UTF-8).</li>
 * </ul>
 * Refused with {@link RequestBodyException}, which the callers answer in their API's format: 400
 * {@code invalid_content_type} for a header that is not a media type (including an empty
 * {@code charset=}); 415 {@code unsupported_media_type} for any other media type ({@code text/plain},
 * {@code multipart/form-data}, {@code *}{@code /*}…) or an unknown charset.
 */
public final class JsonBody {

    private static final MediaType FORM = MediaType.APPLICATION_FORM_URLENCODED;
    private static final Pattern CHARSET = Pattern.compile("(?i);\\s*charset\\s*=\\s*(\"[^\"]*\"|[^;]*)");

    private JsonBody() {
    }

    /**
     * @return the body bytes (UTF-8), empty when there is none; errors with
     *         {@link RequestBodyException} for a refused {@code Content-Type}, and with
     *         {@link org.springframework.core.io.buffer.DataBufferLimitException} beyond the
     *         configured body size (the callers' 413)
     */
    public static Mono<byte[]> read(EdgeRequest request) {
        Charset charset;
        try {
            charset = check(request.header(HttpHeaders.CONTENT_TYPE), ClientApi.of(request.path()));
        } catch (RequestBodyException e) {
            return Mono.error(e);
        }
        Mono<byte[]> body = request.body();
        if (charset == null || charset.equals(StandardCharsets.UTF_8) || charset.equals(StandardCharsets.US_ASCII)) {
            return body;
        }
        return body.map(bytes -> new String(bytes, charset).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param contentType the {@code Content-Type} header, or null
     * @param api         the called API
     * @return the declared charset, or null when none is declared
     * @throws RequestBodyException when the header is refused
     */
    static Charset check(String contentType, ClientApi api) {
        if (contentType == null || contentType.isBlank()) {
            return null;
        }
        MediaType type;
        try {
            type = MediaType.parseMediaType(contentType);
        } catch (InvalidMediaTypeException e) {
            throw refusedHeader(contentType);
        }
        boolean json = "application".equals(type.getType())
                && ("json".equals(type.getSubtype()) || "json".equals(type.getSubtypeSuffix()));
        if (!json && !(api == ClientApi.OLLAMA && type.isCompatibleWith(FORM) && !type.isWildcardType()
                && !type.isWildcardSubtype())) {
            throw new RequestBodyException(415, "unsupported_media_type", "Content-Type '" + printable(type.getType() + "/"
                    + type.getSubtype()) + "' is not supported: send the request body as application/json.");
        }
        return type.getCharset();
    }

    /** A header that does not parse: an unknown charset (415) or a malformed media type (400). */
    private static RequestBodyException refusedHeader(String contentType) {
        Matcher charset = CHARSET.matcher(contentType);
        if (charset.find()) {
            String name = charset.group(1).trim();
            if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
                name = name.substring(1, name.length() - 1).trim();
            }
            String rest = contentType.substring(0, charset.start()) + contentType.substring(charset.end());
            if (!name.isEmpty() && parses(rest)) {
                return new RequestBodyException(415, "unsupported_media_type", "Content-Type charset '" + printable(name)
                        + "' is not supported: send the request body as application/json in UTF-8.");
            }
        }
        return new RequestBodyException(400, "invalid_content_type",
                "The Content-Type header is not a valid media type: send application/json.");
    }

    private static boolean parses(String contentType) {
        try {
            MediaType.parseMediaType(contentType);
            return true;
        } catch (InvalidMediaTypeException e) {
            return false;
        }
    }

    /** @return at most 64 printable ASCII characters of a client-sent value (it is echoed in a message) */
    private static String printable(String value) {
        StringBuilder out = new StringBuilder(Math.min(value.length(), 64));
        for (int i = 0; i < value.length() && out.length() < 64; i++) {
            char c = value.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }
}
