package io.llmproxy.edge.auth;

import io.llmproxy.edge.snapshot.EdgeSnapshot;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ApiKeyEntry;
import io.llmproxy.edge.snapshot.SnapshotStore;
import io.llmproxy.kernel.apikey.ApiKeys;
import java.time.Clock;
import java.time.Instant;
import org.springframework.stereotype.Component;

/**
 * Authenticates {@code Authorization: Bearer <key>} against the in-memory snapshot (no I/O):
 * unknown, revoked or expired keys and a rotated key's previous secret after its grace period
 * are refused (401); a key of a suspended tenant is refused with 403. Before the first snapshot
 * has loaded nothing can be decided, so every call is {@link Status#NOT_READY} (503 with
 * {@code Retry-After}), never 401: no key is refused for data the edge does not have yet.
 */
@Component
public class ApiKeyAuthenticator {

    /** Outcome of an authentication. */
    public enum Status {
        OK, MISSING, UNKNOWN, REVOKED, EXPIRED, TENANT_SUSPENDED,
        /** the snapshot of the read model has not loaded yet: answer 503 with {@code Retry-After} */
        NOT_READY
    }

    /** {@code Retry-After} (seconds) of a {@link Status#NOT_READY} answer. */
    public static final int NOT_READY_RETRY_AFTER_SECONDS = 1;

    /**
     * @param key      the key's entry when it was found, else null
     * @param snapshot the snapshot the decision was made on (use it for the rest of the request)
     */
    public record Result(Status status, ApiKeyEntry key, EdgeSnapshot snapshot) {
    }

    private final SnapshotStore snapshots;
    private final Clock clock;

    public ApiKeyAuthenticator(SnapshotStore snapshots, Clock clock) {
        this.snapshots = snapshots;
        this.clock = clock;
    }

    public Result authenticate(String authorization) {
        EdgeSnapshot snapshot = snapshots.current();
        if (!snapshots.loaded()) {
            return new Result(Status.NOT_READY, null, snapshot);
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                || authorization.length() <= 7) {
            return new Result(Status.MISSING, null, snapshot);
        }
        String key = authorization.substring(7).strip();
        ApiKeyEntry entry = snapshot.keysByHash().get(ApiKeys.hash(key));
        if (entry == null) {
            return new Result(Status.UNKNOWN, null, snapshot);
        }
        Instant now = clock.instant();
        Status status;
        if (!entry.active()) {
            status = Status.REVOKED;
        } else if ((entry.expiresAt() != null && !now.isBefore(entry.expiresAt()))
                || (entry.validUntil() != null && !now.isBefore(entry.validUntil()))) {
            status = Status.EXPIRED;
        } else if (snapshot.suspended(entry.tenantId())) {
            status = Status.TENANT_SUSPENDED;
        } else {
            status = Status.OK;
        }
        return new Result(status, entry, snapshot);
    }
}
