package io.llmproxy.edge.provider;

/**
 * Thrown by {@link ChatTranslator#request} when the provider cannot take what the client asked for
 * (e.g. an image URL part for a provider that accepts only inline images). The client API answers
 * 400 in its own format before any upstream call.
 */
public class UnsupportedRequestException extends RuntimeException {

    private final String param;

    /**
     * @param message names the provider and what it cannot take; never a credential
     * @param param   the request field at fault (e.g. {@code messages}), or null
     */
    public UnsupportedRequestException(String message, String param) {
        super(message, null, false, false);
        this.param = param;
    }

    public String param() {
        return param;
    }
}
