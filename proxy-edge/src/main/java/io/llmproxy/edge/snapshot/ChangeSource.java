package io.llmproxy.edge.snapshot;

/**
 * A writer of read-model rows the edge mirrors: one Axon event processor. Two processors run
 * independently, so the edge keeps one cursor per source (ADR 0002, issue #9). A processor with one
 * segment makes its rows visible in {@code change_index} order; with several (ADR 0022) the
 * segments commit independently, and the cursor stays at or below the processor's watermark
 * ({@link SegmentWatermarks}).
 */
enum ChangeSource {

    /** {@code rm_api_key}, {@code rm_tenant}, {@code rm_quota_policy}, {@code rm_route}, {@code rm_provider}, {@code rm_price}. */
    ADMIN_READ_MODEL("admin-read-model"),
    /** {@code audit_content_policy}. */
    AUDIT_ADMIN("audit-admin");

    private final String processingGroup;

    ChangeSource(String processingGroup) {
        this.processingGroup = processingGroup;
    }

    /**
     * @return the source whose processor is {@code processingGroup}
     * @throws IllegalArgumentException when no source has that processing group
     */
    static ChangeSource of(String processingGroup) {
        for (ChangeSource source : values()) {
            if (source.processingGroup.equals(processingGroup)) {
                return source;
            }
        }
        throw new IllegalArgumentException("no change source for processor " + processingGroup);
    }

    /** @return the Axon processing group that writes the source's tables */
    String processingGroup() {
        return processingGroup;
    }
}
