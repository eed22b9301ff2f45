package io.llmproxy.query.config;

import java.lang.management.ManagementFactory;
import java.util.UUID;

/**
 * This query-side instance's name among the instances sharing the event processors' segments:
 * the {@code owner} it writes into Axon's token store ({@code tokenentry}) when it claims a segment,
 * and the node it reports as in {@code projection_segment_position} and the replay tables.
 *
 * <p>{@code LLMPROXY_NODE_ID} when set (e.g. a Kubernetes pod name), else
 * {@code <pid>@<host>/<8 hex digits>}: the suffix is new at every start, so a restarted process
 * never mistakes the claims of the one before it for its own.
 *
 * @param id at most 255 characters (the {@code owner} column)
 */
public record ProjectionNode(String id) {

    public ProjectionNode {
        if (id == null || id.isBlank() || id.length() > 255) {
            throw new IllegalArgumentException("node id must be 1 to 255 characters, got " + id);
        }
    }

    /** @return the node named by {@code configured} when it is not blank, else a fresh unique name */
    public static ProjectionNode of(String configured) {
        if (configured != null && !configured.isBlank()) {
            return new ProjectionNode(configured.strip());
        }
        return new ProjectionNode(ManagementFactory.getRuntimeMXBean().getName() + "/"
                + UUID.randomUUID().toString().substring(0, 8));
    }
}
