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
     * @param key       the key's entry when it was found, else null; for a Keycloak token, the user's
     *                  stand-in entry (no key id, its tenant, owner = the user, every model the tenant sees)
     * @param snapshot  the snapshot the decision was made on (use it for the rest of the request)
     * @param principal who calls, for the usage event: {@code api-key:<apiKeyId>} or {@code user:<sub>}; null
     *                  when not recognised
     */
    public record Result(Status status, ApiKeyEntry key, EdgeSnapshot snapshot, String principal) {

        public Result(Status status, ApiKeyEntry key, EdgeSnapshot snapshot) {
            this(status, key, snapshot, key == null ? null : "api-key:" + key.apiKeyId());
        }
    }

    private final SnapshotStore snapshots;
    private final Clock clock;
    private final JwtAuthenticator jwts;
    private final AuthRefusals refusals;

    public ApiKeyAuthenticator(SnapshotStore snapshots, Clock clock) {
        this(snapshots, clock, null, null);
    }

    /**
     * @param jwts     Keycloak access tokens (issue #10), or null when the edge accepts API keys only
     * @param refusals the refusal counter, or null
     */
    @org.springframework.beans.factory.annotation.Autowired
    public ApiKeyAuthenticator(SnapshotStore snapshots, Clock clock,
                               @org.springframework.lang.Nullable JwtAuthenticator jwts,
                               @org.springframework.lang.Nullable AuthRefusals refusals) {
        this.snapshots = snapshots;
        this.clock = clock;
        this.jwts = jwts;
        this.refusals = refusals;
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
        if (jwts != null && JwtAuthenticator.looksLikeJwt(key)) {
            return user(key, snapshot);
        }
        ApiKeyEntry entry = snapshot.keysByHash().get(ApiKeys.hash(key));
        if (entry == null) {
            count("unknown_key");
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
        if (status != Status.OK) {
            count(status.name().toLowerCase(java.util.Locale.ROOT));
        }
        return new Result(status, entry, snapshot);
    }

    /**
     * A Keycloak access token of a tenant user: verified locally, then the user looked up in the
     * snapshot (a removed user is not there). A principal that is a user of several tenants is refused
     * (a token names no tenant).
     */
    private Result user(String token, EdgeSnapshot snapshot) {
        JwtAuthenticator.Verdict verdict = jwts.verify(token);
        if (!verdict.ok()) {
            count(verdict.refusal().name().toLowerCase(java.util.Locale.ROOT));
            return new Result(verdict.refusal() == JwtAuthenticator.Reason.EXPIRED ? Status.EXPIRED : Status.UNKNOWN,
                    null, snapshot, null);
        }
        java.util.List<EdgeSnapshot.UserEntry> users = snapshot.users(verdict.principal());
        if (users.size() != 1) {
            count(users.isEmpty() ? "unknown_user" : "ambiguous_user");
            return new Result(Status.UNKNOWN, null, snapshot, null);
        }
        EdgeSnapshot.UserEntry user = users.get(0);
        ApiKeyEntry standIn = new ApiKeyEntry(null, user.tenantId(), true, user.userId(), null, null, null);
        String principal = "user:" + verdict.subject();
        if (snapshot.suspended(user.tenantId())) {
            count("tenant_suspended");
            return new Result(Status.TENANT_SUSPENDED, standIn, snapshot, principal);
        }
        return new Result(Status.OK, standIn, snapshot, principal);
    }

    private void count(String reason) {
        if (refusals != null) {
            refusals.count(reason);
        }
    }
}
