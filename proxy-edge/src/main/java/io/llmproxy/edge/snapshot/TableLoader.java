package io.llmproxy.edge.snapshot;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Loads one read-model table into a {@link SnapshotDraft}: the rows whose {@code change_index} is
 * above the draft's cursor of the table's {@link ChangeSource} (all rows on a full load).
 */
interface TableLoader {

    /** @return the processor that writes the table */
    ChangeSource source();

    /** @return the read-model table the loader reads, the only one its query names */
    String table();

    /** Reads the changed rows into {@code draft}, reporting each row's change index with {@link SnapshotDraft#seen}. */
    void load(JdbcTemplate jdbc, SnapshotDraft draft);
}
