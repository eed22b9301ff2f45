package io.llmproxy.command.common;

/**
 * An admin request that cannot be carried out. Mapped by {@code AdminErrorHandler} to an
 * RFC 9457 problem JSON with {@code code} and {@code field} members.
 */
public class CommandRejected extends RuntimeException {

    /** How the rejection maps to HTTP. */
    public enum Kind { INVALID, NOT_FOUND, CONFLICT }

    private final Kind kind;
    private final String code;
    private final String field;

    public CommandRejected(Kind kind, String code, String field, String message) {
        super(message);
        this.kind = kind;
        this.code = code;
        this.field = field;
    }

    public static CommandRejected invalid(String field, String message) {
        return new CommandRejected(Kind.INVALID, "invalid_" + field, field, message);
    }

    public static CommandRejected notFound(String field, String message) {
        return new CommandRejected(Kind.NOT_FOUND, "not_found", field, message);
    }

    public static CommandRejected conflict(String field, String message) {
        return new CommandRejected(Kind.CONFLICT, "conflict", field, message);
    }

    public Kind kind() {
        return kind;
    }

    public String code() {
        return code;
    }

    public String field() {
        return field;
    }
}
