package io.llmproxy.edge.snapshot;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** Health is DOWN until the first snapshot of the read model has been loaded. */
@Component("snapshot")
class SnapshotHealthIndicator implements HealthIndicator {

    private final SnapshotStore store;

    SnapshotHealthIndicator(SnapshotStore store) {
        this.store = store;
    }

    @Override
    public Health health() {
        var s = store.current();
        Health.Builder b = store.loaded() ? Health.up() : Health.down();
        return b.withDetail("changeIndex", s.changeIndex()).withDetail("apiKeys", s.keysByHash().size())
                .withDetail("routes", s.routes().size()).withDetail("providers", s.providersById().size())
                .build();
    }
}
