package io.llmproxy.edge.quota;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * In-memory counters with the same check-and-consume semantics as {@code reserve.lua}, used only
 * for tenants that chose {@code fail-open} while Redis cannot be reached. Per edge replica (not
 * shared), so during an outage each replica enforces the limits on its own traffic.
 */
final class LocalQuotaCounters {

    private record Counter(long value, Instant expiresAt) {
    }

    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    /** @return {@code [1, values...]} or {@code [0, index (1-based), current]}, like the Lua script */
    synchronized List<Long> reserve(List<QuotaCheck> checks, Instant now) {
        counters.values().removeIf(c -> !c.expiresAt().isAfter(now));
        for (int i = 0; i < checks.size(); i++) {
            QuotaCheck c = checks.get(i);
            long current = value(c.key(), now);
            if (current + c.amount() > c.limit()) {
                return List.of(0L, (long) i + 1, current);
            }
        }
        List<Long> out = new ArrayList<>();
        out.add(1L);
        for (QuotaCheck c : checks) {
            long v = value(c.key(), now) + c.amount();
            counters.put(c.key(), new Counter(v, now.plusSeconds(c.ttlSeconds())));
            out.add(v);
        }
        return out;
    }

    synchronized void settle(List<String> keys, List<Long> deltas, Instant now) {
        for (int i = 0; i < keys.size(); i++) {
            Counter c = counters.get(keys.get(i));
            if (c != null && c.expiresAt().isAfter(now) && deltas.get(i) != 0) {
                counters.put(keys.get(i), new Counter(Math.max(0, c.value() + deltas.get(i)), c.expiresAt()));
            }
        }
    }

    private long value(String key, Instant now) {
        Counter c = counters.get(key);
        return c == null || !c.expiresAt().isAfter(now) ? 0 : c.value();
    }
}
