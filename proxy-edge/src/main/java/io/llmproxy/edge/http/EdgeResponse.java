package io.llmproxy.edge.http;

import java.util.Map;
import java.util.function.Supplier;
import org.springframework.util.LinkedCaseInsensitiveMap;
import reactor.core.publisher.Flux;

/**
 * A client API answer of the gateway endpoints, independent of the HTTP frame that writes it
 * ({@link NettyFrame} on the hot path, {@link SpringFrame} for everything else): a status, a
 * {@code Content-Type}, headers, and either a whole body (sent with {@code Content-Length}) or a stream
 * (each element flushed as it comes, chunked transfer coding).
 *
 * <p>Headers are kept by name, case-insensitively; setting a name again replaces its value. The
 * headers of {@link #atCommit} are computed just before the status line is written (the routing
 * headers of the call's last attempt) and replace same-named ones.
 */
public final class EdgeResponse {

    private final int status;
    private final String contentType;
    private final byte[] body;
    private final Flux<byte[]> stream;
    private final Map<String, String> headers = new LinkedCaseInsensitiveMap<>(8);
    private Supplier<Map<String, String>> atCommit;

    private EdgeResponse(int status, String contentType, byte[] body, Flux<byte[]> stream) {
        this.status = status;
        this.contentType = contentType;
        this.body = body;
        this.stream = stream;
    }

    /**
     * @param status      HTTP status
     * @param contentType the media type as sent ({@code application/json}…)
     * @param body        the whole body (UTF-8 JSON for the gateway's APIs)
     */
    public static EdgeResponse whole(int status, String contentType, byte[] body) {
        return new EdgeResponse(status, contentType, body, null);
    }

    /** @return a 200 {@code application/json} answer of {@code body} */
    public static EdgeResponse json(byte[] body) {
        return whole(200, "application/json", body);
    }

    /**
     * @param status      HTTP status
     * @param contentType the stream's media type ({@code text/event-stream}, {@code application/x-ndjson})
     * @param chunks      the body, one flush per element; subscribed once, by the frame
     */
    public static EdgeResponse stream(int status, String contentType, Flux<byte[]> chunks) {
        return new EdgeResponse(status, contentType, null, chunks);
    }

    /** Sets {@code name} to {@code value}, replacing an earlier value of that name. */
    public EdgeResponse header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    /** Sets each header of {@code values}. */
    public EdgeResponse headers(Map<String, String> values) {
        headers.putAll(values);
        return this;
    }

    /** @param late headers computed when the answer is committed (empty map: none) */
    public EdgeResponse atCommit(Supplier<Map<String, String>> late) {
        this.atCommit = late;
        return this;
    }

    public int status() {
        return status;
    }

    public String contentType() {
        return contentType;
    }

    /** @return the whole body, or null for a stream */
    public byte[] body() {
        return body;
    }

    /** @return the streamed body, or null for a whole one */
    public Flux<byte[]> stream() {
        return stream;
    }

    /** @return the headers set so far (without those of {@link #atCommit}) */
    public Map<String, String> headers() {
        return headers;
    }

    /** @return the headers of {@link #atCommit}, computed now (call it when committing); empty when none */
    public Map<String, String> lateHeaders() {
        return atCommit == null ? Map.of() : atCommit.get();
    }
}
