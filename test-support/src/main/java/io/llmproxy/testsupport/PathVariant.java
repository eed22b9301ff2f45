package io.llmproxy.testsupport;

import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * Ways to write one request path that a server might route to the same handler while a
 * check on the raw text would not recognise it: the table of the admin apps' auth-bypass tests.
 * Each variant rewrites a normalised path such as {@code /admin/v1/tenants/t1}; the result is
 * meant to be sent as is (see {@link RawHttp}).
 */
public enum PathVariant {
    AS_IS(p -> p),
    ENCODED_FIRST_LETTER_LOWER_HEX(p -> "/" + encode(first(p).substring(0, 1), false) + first(p).substring(1) + rest(p)),
    ENCODED_SEGMENT_LOWER_HEX(p -> "/" + encode(first(p), false) + rest(p)),
    ENCODED_SEGMENT_UPPER_HEX(p -> "/" + encode(first(p), true) + rest(p)),
    ENCODED_LAST_SEGMENT_UPPER_HEX(p -> p.substring(0, p.lastIndexOf('/') + 1) + encode(p.substring(p.lastIndexOf('/') + 1), true)),
    UPPER_CASE_FIRST_SEGMENT(p -> "/" + first(p).toUpperCase(Locale.ROOT) + rest(p)),
    PATH_PARAMETER_FIRST_SEGMENT(p -> "/" + first(p) + ";x=1" + rest(p)),
    PATH_PARAMETER_LAST_SEGMENT(p -> p + ";x=1"),
    EMPTY_PATH_PARAMETER(p -> "/" + first(p) + ";" + rest(p)),
    DOUBLE_SLASH_LEADING(p -> "/" + p),
    DOUBLE_SLASH_INSIDE(p -> "/" + first(p) + "/" + rest(p)),
    DOT_SEGMENT_LEADING(p -> "/." + p),
    DOT_SEGMENT_INSIDE(p -> "/" + first(p) + "/." + rest(p)),
    DOT_DOT_SEGMENT(p -> "/" + first(p) + "/x/.." + rest(p)),
    DOT_DOT_FROM_OUTSIDE(p -> "/x/.." + p),
    TRAILING_SLASH(p -> p + "/"),
    TRAILING_DOT(p -> p + "/."),
    ENCODED_SLASH_UPPER(p -> "/" + first(p) + "%2F" + tail(p)),
    ENCODED_SLASH_LOWER(p -> "/" + first(p) + "%2f" + tail(p)),
    ENCODED_DOT_SEGMENT(p -> "/" + first(p) + "/%2E" + rest(p)),
    ENCODED_DOT_DOT_SEGMENT(p -> "/" + first(p) + "/x/%2e%2E" + rest(p)),
    DOUBLE_ENCODED_SLASH(p -> "/" + first(p) + "%252F" + tail(p)),
    BACKSLASH(p -> "/" + first(p) + "\\" + tail(p));

    private final UnaryOperator<String> rewrite;

    PathVariant(UnaryOperator<String> rewrite) {
        this.rewrite = rewrite;
    }

    /** @return {@code path} (starting with {@code /}, at least one segment) written this way */
    public String apply(String path) {
        return rewrite.apply(path);
    }

    private static String first(String path) {
        int slash = path.indexOf('/', 1);
        return slash < 0 ? path.substring(1) : path.substring(1, slash);
    }

    private static String rest(String path) {
        int slash = path.indexOf('/', 1);
        return slash < 0 ? "" : path.substring(slash);
    }

    private static String tail(String path) {
        String rest = rest(path);
        return rest.isEmpty() ? "" : rest.substring(1);
    }

    private static String encode(String text, boolean upper) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            String hex = String.format("%%%02x", (int) c);
            out.append(upper ? hex.toUpperCase(Locale.ROOT) : hex);
        }
        return out.toString();
    }
}
