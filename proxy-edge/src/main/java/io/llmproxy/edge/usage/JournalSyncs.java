package io.llmproxy.edge.usage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@link UsageJournal}'s {@code fdatasync}s: the segments {@link UsageJournal#write} wrote to since their
 * last sync, and how many syncs the journal made (for tests). Not thread-safe: every call is made under the
 * journal's lock.
 */
final class JournalSyncs {

    private final List<JournalSegment> unsynced = new ArrayList<>(2);
    private long forces;

    /** Notes that {@code s} holds written records not yet synced. */
    void written(JournalSegment s) {
        if (!unsynced.contains(s)) {
            unsynced.add(s);
        }
    }

    /** Forgets {@code s}, whose file is being deleted (nothing in it needs a sync any more). */
    void deleted(JournalSegment s) {
        unsynced.remove(s);
    }

    /** @return true while written records wait for their sync */
    boolean pending() {
        return !unsynced.isEmpty();
    }

    /**
     * Syncs every segment with written, unsynced records.
     *
     * @return true when there was something to sync
     * @throws IOException when a sync fails (that segment and those after it stay pending)
     */
    boolean syncPending() throws IOException {
        if (unsynced.isEmpty()) {
            return false;
        }
        while (!unsynced.isEmpty()) {
            force(unsynced.getFirst());
            unsynced.removeFirst();
        }
        return true;
    }

    /** Syncs {@code s}'s data ({@code fdatasync}). */
    void force(JournalSegment s) throws IOException {
        s.channel.force(false);
        forces++;
    }

    long forces() {
        return forces;
    }
}
