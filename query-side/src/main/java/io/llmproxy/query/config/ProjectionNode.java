package io.llmproxy.query.config;

import java.lang.management.ManagementFactory;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * This query-side instance's name among the instances sharing the event processors' segments:
 * the {@code owner} it writes into Axon's token store ({@code tokenentry}) when it claims a segment,
 * and the node it reports as in {@code projection_segment_position} and the replay tables.
 *
 * <p>{@code LLMPROXY_NODE_ID} when set (e.g. a Kubernetes pod name), else
 * {@code <pid>@<host>/<8 hex digits>}: the suffix is new at every start, so a restarted process
 * never mistakes the claims of the one before it for its own.
 *
 * <p>The name goes into SQL parameters, logs and JSON answers, so it is 1 to 255 characters of
 * {@value #ALLOWED}: a configured name with anything else (spaces, control characters, quotes,
 * non-ASCII) stops the start; the generated one has such characters replaced by {@code _}.
 *
 * @param id 1 to 255 characters of {@value #ALLOWED} (the {@code owner} column is 255 long)
 */
public record ProjectionNode(String id) {

    /** The characters a node name may hold (a regex character class): those of host and pod names, and {@code @ / :}. */
    public static final String ALLOWED = "[A-Za-z0-9._:@/-]";
    private static final Pattern VALID = Pattern.compile(ALLOWED + "{1,255}");
    private static final Pattern INVALID_CHARACTER = Pattern.compile("[^A-Za-z0-9._:@/-]");

    /** @throws IllegalArgumentException when {@code id} is null, empty, longer than 255 or holds another character (not echoed) */
    public ProjectionNode {
        if (id == null || !VALID.matcher(id).matches()) {
            throw new IllegalArgumentException("LLMPROXY_NODE_ID must be 1 to 255 characters of " + ALLOWED + ", got "
                    + (id == null ? "none" : id.length() + " characters: " + INVALID_CHARACTER.matcher(id).replaceAll("?")));
        }
    }

    /**
     * @return the node named by {@code configured} (surrounding blanks removed) when it is not blank,
     *         else a fresh unique name
     * @throws IllegalArgumentException when {@code configured} is not a valid name
     */
    public static ProjectionNode of(String configured) {
        if (configured != null && !configured.isBlank()) {
            return new ProjectionNode(configured.strip());
        }
        return generated(ManagementFactory.getRuntimeMXBean().getName());
    }

    /** @return {@code <runtime>/<8 hex digits>}, {@code runtime} ({@code pid@host}) sanitised and cut to fit */
    static ProjectionNode generated(String runtime) {
        String suffix = "/" + UUID.randomUUID().toString().substring(0, 8);
        String base = INVALID_CHARACTER.matcher(runtime == null || runtime.isEmpty() ? "query-side" : runtime).replaceAll("_");
        return new ProjectionNode(base.substring(0, Math.min(base.length(), 255 - suffix.length())) + suffix);
    }
}
