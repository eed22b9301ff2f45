package io.llmproxy.edge.auth;

import io.llmproxy.edge.snapshot.EdgeSnapshot.ApiKeyEntry;
import io.llmproxy.edge.snapshot.SnapshotStore;
import io.llmproxy.kernel.apikey.ApiKeys;
import org.springframework.stereotype.Component;

/** Authenticates {@code Authorization: Bearer <key>} against the in-memory snapshot (no I/O). */
@Component
public class ApiKeyAuthenticator {

    /** Outcome of an authentication. */
    public enum Status { OK, MISSING, UNKNOWN, REVOKED }

    /** @param key the key's entry when it was found (OK or REVOKED), else null */
    public record Result(Status status, ApiKeyEntry key) {
    }

    private final SnapshotStore snapshots;

    public ApiKeyAuthenticator(SnapshotStore snapshots) {
        this.snapshots = snapshots;
    }

    public Result authenticate(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                || authorization.length() <= 7) {
            return new Result(Status.MISSING, null);
        }
        String key = authorization.substring(7).strip();
        ApiKeyEntry entry = snapshots.current().keysByHash().get(ApiKeys.hash(key));
        if (entry == null) {
            return new Result(Status.UNKNOWN, null);
        }
        return new Result(entry.active() ? Status.OK : Status.REVOKED, entry);
    }
}
