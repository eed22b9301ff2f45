package io.llmproxy.edge.chat;

/**
 * Thrown by {@link ClientCodec#canonical} for a request body the client API refuses (the client
 * gets 400 in its own format, before any upstream call).
 */
public class ClientRequestException extends RuntimeException {

    private final String param;

    /**
     * @param message what is wrong, in the words of the client's API
     * @param param   the field at fault, or null
     */
    public ClientRequestException(String message, String param) {
        super(message, null, false, false);
        this.param = param;
    }

    public String param() {
        return param;
    }
}
