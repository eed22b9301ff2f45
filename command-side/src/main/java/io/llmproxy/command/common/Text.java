package io.llmproxy.command.common;

import java.time.Instant;

/** Pure checks shared by the aggregates' rules for text and instants that reach the event store. */
public final class Text {

    /** Latest instant accepted in a command (PostgreSQL and every client can represent it). */
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");
    /** Earliest instant accepted in a command (year 1: what PostgreSQL timestamps and the query side take). */
    public static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");

    private Text() {
    }

    /**
     * @throws CommandRejected 400 naming {@code field} when the value contains a control character
     *                         (U+0000..U+001F, U+007F..U+009F) or an unpaired surrogate
     */
    public static void requireClean(String field, String value) {
        if (value == null) {
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                throw CommandRejected.invalid(field, field + " must not contain control characters");
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
                    throw CommandRejected.invalid(field, field + " contains an unpaired surrogate");
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                throw CommandRejected.invalid(field, field + " contains an unpaired surrogate");
            }
        }
    }

    /** @throws CommandRejected 400 when {@code value} is after {@link #LATEST} or before {@link #EARLIEST} */
    public static void requireRepresentable(String field, Instant value) {
        if (value != null && value.isAfter(LATEST)) {
            throw CommandRejected.invalid(field, field + " must be before the year 10000");
        }
        if (value != null && value.isBefore(EARLIEST)) {
            throw CommandRejected.invalid(field, field + " must be in the year 1 or later");
        }
    }
}
