package io.llmproxy.simulator.http;

/**
 * A malformed {@code x-sim-*} request header; provider formats answer it with their 400 error shape.
 */
public class InvalidKnobException extends RuntimeException {

    private final String header;

    public InvalidKnobException(String header, String message) {
        super(message);
        this.header = header;
    }

    /** Name of the offending request header. */
    public String header() {
        return header;
    }
}
