package io.llmproxy.edge.snapshot;

import java.util.concurrent.atomic.AtomicReference;
import org.springframework.stereotype.Component;

/** Holds the current {@link EdgeSnapshot}; reads are one volatile load, never I/O. */
@Component
public class SnapshotStore {

    private final AtomicReference<EdgeSnapshot> current = new AtomicReference<>(EdgeSnapshot.EMPTY);

    public EdgeSnapshot current() {
        return current.get();
    }

    public void replace(EdgeSnapshot snapshot) {
        current.set(snapshot);
    }

    /** @return true once a snapshot has been loaded from the read model */
    public boolean loaded() {
        return current.get().changeIndex() >= 0;
    }
}
