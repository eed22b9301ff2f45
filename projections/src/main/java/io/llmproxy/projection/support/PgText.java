package io.llmproxy.projection.support;

/**
 * PostgreSQL {@code text} and {@code jsonb} cannot hold U+0000. Projections must never stop on an
 * event (a stuck projection would freeze every read model behind it), so a NUL from an event
 * written before input validation existed, or by a client through the usage stream, is stored
 * as U+FFFD (the Unicode replacement character) instead.
 */
public final class PgText {

    private PgText() {
    }

    /** @return {@code value} with every U+0000 replaced by U+FFFD; null stays null */
    public static String clean(String value) {
        return value == null || value.indexOf('\u0000') < 0 ? value : value.replace('\u0000', '\uFFFD');
    }

    /** Latest instant stored; later ones (from events written before validation existed) are clamped to it. */
    public static final java.time.Instant LATEST = java.time.Instant.parse("9999-12-31T23:59:59Z");

    /** @return a SQL timestamp for {@code instant}, clamped to {@link #LATEST}; null stays null */
    public static java.sql.Timestamp timestamp(java.time.Instant instant) {
        return instant == null ? null : java.sql.Timestamp.from(instant.isAfter(LATEST) ? LATEST : instant);
    }

    /** @return serialized JSON whose {@code \u0000} escapes are replaced by {@code \uFFFD} (jsonb refuses them) */
    public static String cleanJson(String json) {
        return json == null || !json.contains("\\u0000") ? json : json.replace("\\u0000", "\\uFFFD");
    }
}
