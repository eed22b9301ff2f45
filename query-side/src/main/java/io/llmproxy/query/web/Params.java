package io.llmproxy.query.web;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Parsing of read-API parameters, with 400 naming the parameter. */
public final class Params {

    /** Earliest and latest instants a query may name (what PostgreSQL and every client can represent). */
    public static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private Params() {
    }

    /**
     * @return the ISO-8601 instant {@code value}, or {@code fallback} when absent
     * @throws QueryRejected 400 naming {@code name} when it does not parse or is outside years 1..9999
     */
    public static Instant instant(String name, String value, Instant fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            Instant instant = Instant.parse(value);
            if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
                throw QueryRejected.badParameter(name, name + " must be between the years 1 and 9999");
            }
            return instant;
        } catch (DateTimeParseException e) {
            throw QueryRejected.badParameter(name, name + " must be an ISO-8601 instant such as 2026-11-29T00:00:00Z");
        }
    }
}
