package io.llmproxy.query.apikey;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The life of one API key, folded from its tenant's admin events (as the audit log keeps them,
 * in event-store order). Pure: no Spring, no JDBC.
 *
 * <p>Events that change what applies to the key: {@code ApiKeyIssued} (name, owner, allowed models,
 * expiry), {@code ApiKeyRotated}, {@code ApiKeyRevoked} (also when its owner is removed),
 * {@code QuotaPolicySet} at key level, at its owner's user level and at tenant level,
 * {@code UserRemoved} of its owner, {@code TenantSuspended} / {@code TenantReactivated}.
 */
public final class KeyTimeline {

    /** One admin event of the tenant, as stored in the audit log. */
    public record Change(long seq, String eventId, String eventType, Instant occurredAt, String actor, JsonNode data) {
    }

    /** Key-related limits in {@code QuotaLimits}' JSON names; the tightest (smallest) non-null value applies. */
    static final List<String> NUMERIC_LIMITS = List.of("requestsPerMinute", "requestsPerDay", "tokensPerMinute",
            "tokensPerDay", "tokensPerMonth", "maxConcurrentRequests");

    /**
     * What applied to the key at an instant.
     *
     * @param status                {@code NOT_ISSUED} (before issuance), {@code ACTIVE}, {@code REVOKED} or {@code EXPIRED}
     * @param tenantStatus          {@code ACTIVE} or {@code SUSPENDED}
     * @param usable                whether the edge accepted the key then (status and tenant ACTIVE)
     * @param displayPrefix         the prefix of the secret valid then (changes with rotation)
     * @param previousKeyValidUntil when the secret before the last rotation stopped working, if rotated
     * @param allowedModels         public model names the key could call, null = all
     * @param quota                 {@code {"tenant","user","apiKey","effective"}}: each level's limits
     *                              (null = no policy) and the tightest per field; {@code effective.whenQuotaStoreDown}
     *                              is the tenant level's ({@code fail-closed} when unset)
     * @param lastChange            the last event that changed any of this, at or before the instant
     */
    public record AsOf(String apiKeyId, Instant time, String status, String tenantStatus, boolean usable, String name,
                       String ownerUserId, String displayPrefix, Instant expiresAt, Instant previousKeyValidUntil,
                       List<String> allowedModels, Map<String, Object> quota, Change lastChange) {
    }

    private final String tenantId;
    private final String apiKeyId;
    private final List<Change> changes;

    /** @param changes every admin event of the tenant, in event-store order */
    public KeyTimeline(String tenantId, String apiKeyId, List<Change> changes) {
        this.tenantId = tenantId;
        this.apiKeyId = apiKeyId;
        this.changes = List.copyOf(changes);
    }

    /** @return whether the key was ever issued in this tenant */
    public boolean exists() {
        return changes.stream().anyMatch(c -> c.eventType().equals("ApiKeyIssued") && apiKeyId.equals(text(c.data(), "apiKeyId")));
    }

    /** @return the events that changed what applied to the key, from its issuance on, in order */
    public List<Change> history() {
        List<Change> out = new ArrayList<>();
        String owner = null;
        boolean issued = false;
        for (Change c : changes) {
            if (!issued && c.eventType().equals("ApiKeyIssued") && apiKeyId.equals(text(c.data(), "apiKeyId"))) {
                issued = true;
                owner = text(c.data(), "ownerUserId");
            }
            if (issued && concerns(c, owner)) {
                out.add(c);
            }
        }
        return out;
    }

    /** @return what applied to the key at {@code time} (events with {@code occurredAt <= time}) */
    public AsOf asOf(Instant time) {
        String status = "NOT_ISSUED";
        boolean suspended = false;
        String name = null;
        String owner = null;
        String prefix = null;
        Instant expiresAt = null;
        Instant previousValidUntil = null;
        List<String> allowed = null;
        JsonNode tenantLimits = null;
        JsonNode keyLimits = null;
        Map<String, JsonNode> userLimits = new LinkedHashMap<>();
        Change last = null;
        for (Change c : changes) {
            if (c.occurredAt().isAfter(time)) {
                continue;
            }
            JsonNode d = c.data();
            boolean mine = apiKeyId.equals(text(d, "apiKeyId"));
            switch (c.eventType()) {
                case "ApiKeyIssued" -> {
                    if (mine) {
                        status = "ACTIVE";
                        name = text(d, "name");
                        owner = text(d, "ownerUserId");
                        prefix = text(d, "displayPrefix");
                        String exp = text(d, "expiresAt");
                        expiresAt = exp == null ? null : Instant.parse(exp);
                        allowed = d.hasNonNull("allowedModels")
                                ? d.get("allowedModels").valueStream().map(JsonNode::asString).toList() : null;
                    }
                }
                case "ApiKeyRotated" -> {
                    if (mine) {
                        prefix = text(d, "displayPrefix");
                        String until = text(d, "previousValidUntil");
                        previousValidUntil = until == null ? null : Instant.parse(until);
                    }
                }
                case "ApiKeyRevoked" -> {
                    if (mine) {
                        status = "REVOKED";
                    }
                }
                case "TenantSuspended" -> suspended = true;
                case "TenantReactivated" -> suspended = false;
                case "QuotaPolicySet" -> {
                    String scope = text(d, "scope");
                    String subject = text(d, "subjectId");
                    if ("TENANT".equals(scope)) {
                        tenantLimits = d.get("limits");
                    } else if ("USER".equals(scope) && subject != null) {
                        userLimits.put(subject, d.get("limits"));
                    } else if ("API_KEY".equals(scope) && apiKeyId.equals(subject)) {
                        keyLimits = d.get("limits");
                    }
                }
                default -> {
                }
            }
            if (!"NOT_ISSUED".equals(status) && concerns(c, owner)) {
                last = c;
            }
        }
        if ("ACTIVE".equals(status) && expiresAt != null && !time.isBefore(expiresAt)) {
            status = "EXPIRED";
        }
        JsonNode user = owner == null ? null : userLimits.get(owner);
        Map<String, Object> quota = new LinkedHashMap<>();
        quota.put("tenant", tenantLimits);
        quota.put("user", user);
        quota.put("apiKey", keyLimits);
        quota.put("effective", effective(tenantLimits, user, keyLimits));
        boolean issued = !"NOT_ISSUED".equals(status);
        return new AsOf(apiKeyId, time, status, suspended ? "SUSPENDED" : "ACTIVE",
                "ACTIVE".equals(status) && !suspended, name, owner, prefix, expiresAt,
                previousValidUntil != null && issued ? previousValidUntil : null, allowed, quota, last);
    }

    /** @return per field the smallest limit of the levels (null = no limit anywhere) */
    static Map<String, Object> effective(JsonNode tenant, JsonNode user, JsonNode key) {
        List<JsonNode> levels = new ArrayList<>();
        for (JsonNode level : new JsonNode[] {tenant, user, key}) {
            if (level != null && level.isObject()) {
                levels.add(level);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (String field : NUMERIC_LIMITS) {
            Long min = null;
            for (JsonNode level : levels) {
                if (level.hasNonNull(field)) {
                    long v = level.get(field).asLong();
                    min = min == null ? v : Math.min(min, v);
                }
            }
            out.put(field, min);
        }
        BigDecimal spend = null;
        for (JsonNode level : levels) {
            if (level.hasNonNull("monthlySpendLimitUsd")) {
                BigDecimal v = new BigDecimal(level.get("monthlySpendLimitUsd").asString());
                spend = spend == null || v.compareTo(spend) < 0 ? v : spend;
            }
        }
        out.put("monthlySpendLimitUsd", spend == null ? null : spend.toPlainString());
        String down = tenant != null && tenant.hasNonNull("whenQuotaStoreDown") ? tenant.get("whenQuotaStoreDown").asString() : null;
        out.put("whenQuotaStoreDown", down == null ? "fail-closed" : down);
        return out;
    }

    private boolean concerns(Change c, String owner) {
        JsonNode d = c.data();
        return switch (c.eventType()) {
            case "ApiKeyIssued", "ApiKeyRotated", "ApiKeyRevoked" -> apiKeyId.equals(text(d, "apiKeyId"));
            case "TenantSuspended", "TenantReactivated" -> true;
            case "UserRemoved" -> owner != null && owner.equals(text(d, "userId"));
            case "QuotaPolicySet" -> switch (String.valueOf(text(d, "scope"))) {
                case "TENANT" -> tenantId.equals(text(d, "subjectId"));
                case "USER" -> owner != null && owner.equals(text(d, "subjectId"));
                case "API_KEY" -> apiKeyId.equals(text(d, "subjectId"));
                default -> false;
            };
            default -> false;
        };
    }

    private static String text(JsonNode data, String field) {
        return data != null && data.hasNonNull(field) ? data.get(field).asString() : null;
    }
}
