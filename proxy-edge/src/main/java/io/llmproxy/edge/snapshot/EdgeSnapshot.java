package io.llmproxy.edge.snapshot;

import io.llmproxy.kernel.billing.Pricing;
import io.llmproxy.kernel.quota.QuotaLimits;
import io.llmproxy.kernel.quota.QuotaScope;
import io.llmproxy.kernel.route.RoutePolicy;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the edge needs from the read model, held in memory (immutable; replaced whole on change).
 *
 * @param keysByHash    API keys by SHA-256 hex of the key (a rotated key has two entries while
 *                      the previous secret is in its grace period)
 * @param routes        routes by owner and public model name ({@link RouteKey}); never by the
 *                      route's aggregate id, so that no spelling of an id reaches another tenant's route
 * @param providersById provider connections with their decrypted credential
 * @param tenantsById   tenants and whether they are suspended
 * @param quotas        quota policies by {@code SCOPE:subjectId}
 * @param changeIndex   highest {@code change_index} seen (Axon global index)
 * @param loadedAt      when the snapshot last changed or was reloaded
 * @param prices        price schedules by {@code providerId/model} (the provider's model), each
 *                      ordered by {@code effectiveFrom} (issue #5; for the monthly spend limit)
 */
public record EdgeSnapshot(Map<String, ApiKeyEntry> keysByHash, Map<RouteKey, RouteEntry> routes,
                           Map<String, ProviderEntry> providersById, Map<String, TenantEntry> tenantsById,
                           Map<String, QuotaLimits> quotas, long changeIndex, Instant loadedAt,
                           Map<String, List<PriceEntry>> prices, Map<String, List<UserEntry>> usersByPrincipal) {

    /** A snapshot without tenant users. */
    public EdgeSnapshot(Map<String, ApiKeyEntry> keysByHash, Map<RouteKey, RouteEntry> routes,
                        Map<String, ProviderEntry> providersById, Map<String, TenantEntry> tenantsById,
                        Map<String, QuotaLimits> quotas, long changeIndex, Instant loadedAt,
                        Map<String, List<PriceEntry>> prices) {
        this(keysByHash, routes, providersById, tenantsById, quotas, changeIndex, loadedAt, prices, Map.of());
    }

    /**
     * A tenant user the edge accepts Keycloak access tokens of (issue #10): read model {@code rm_user},
     * current users only (a removed user is absent, so its tokens stop working at the next poll).
     *
     * @param principal its e-mail lower-cased: the token's {@code preferred_username}
     */
    public record UserEntry(String userId, String tenantId, String principal) {
    }

    /** @return the current users whose principal is {@code principal} (one per tenant it belongs to) */
    public List<UserEntry> users(String principal) {
        return usersByPrincipal.getOrDefault(principal, List.of());
    }

    /** A snapshot without prices. */
    public EdgeSnapshot(Map<String, ApiKeyEntry> keysByHash, Map<RouteKey, RouteEntry> routes,
                        Map<String, ProviderEntry> providersById, Map<String, TenantEntry> tenantsById,
                        Map<String, QuotaLimits> quotas, long changeIndex, Instant loadedAt) {
        this(keysByHash, routes, providersById, tenantsById, quotas, changeIndex, loadedAt, Map.of());
    }

    /**
     * One entry of a provider model's price schedule.
     *
     * @param effectiveFrom first instant it applies to
     * @param price         USD per million tokens
     */
    public record PriceEntry(Instant effectiveFrom, Pricing.Price price) {
    }

    /**
     * @return the price of {@code model} at {@code providerId} in force at {@code at} (latest
     *         {@code effectiveFrom ≤ at}), or null when it has none
     */
    public Pricing.Price price(String providerId, String model, Instant at) {
        List<PriceEntry> schedule = prices.get(providerId + "/" + model);
        if (schedule == null) {
            return null;
        }
        Pricing.Price inForce = null;
        for (PriceEntry e : schedule) {
            if (e.effectiveFrom().isAfter(at)) {
                break;
            }
            inForce = e.price();
        }
        return inForce;
    }

    /** The snapshot before anything was loaded. */
    public static final EdgeSnapshot EMPTY = new EdgeSnapshot(Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), -1,
            Instant.EPOCH);

    /**
     * An API key secret as the edge sees it.
     *
     * @param allowedModels public model names the key may call, or null for all the tenant sees
     * @param expiresAt     when the key stops working, or null
     * @param validUntil    for the previous secret of a rotated key: end of its grace period; null for the current secret
     */
    public record ApiKeyEntry(String apiKeyId, String tenantId, boolean active, String ownerUserId,
                              Set<String> allowedModels, Instant expiresAt, Instant validUntil) {

        public ApiKeyEntry(String apiKeyId, String tenantId, boolean active) {
            this(apiKeyId, tenantId, active, null, null, null, null);
        }

        /** @return true when the key may call {@code model} (no allow-list, or listed) */
        public boolean allows(String model) {
            return allowedModels == null || allowedModels.contains(model);
        }
    }

    /**
     * A tenant.
     *
     * @param suspended          whether its keys are refused
     * @param storePromptContent whether it opted in to storing masked prompt and completion text in
     *                           its audit log (read model {@code audit_content_policy})
     */
    public record TenantEntry(String tenantId, boolean suspended, boolean storePromptContent) {

        public TenantEntry(String tenantId, boolean suspended) {
            this(tenantId, suspended, false);
        }
    }

    /**
     * Where a route is found: its owner and the public model name clients send.
     *
     * @param tenantId the owning tenant, or null for a global route
     * @param model    the public model name
     */
    public record RouteKey(String tenantId, String model) {

        /** @return the key of a global route */
        public static RouteKey global(String model) {
            return new RouteKey(null, model);
        }
    }

    /**
     * A route: public model → provider models; {@code tenantId} null = global.
     *
     * @param policy strategy, fallbacks, retry and timeouts (never null: {@link RoutePolicy#DEFAULT} when unset)
     */
    public record RouteEntry(String tenantId, String model, List<Target> targets, Instant updatedAt, RoutePolicy policy) {

        /** A route with the default policy. */
        public RouteEntry(String tenantId, String model, List<Target> targets, Instant updatedAt) {
            this(tenantId, model, targets, updatedAt, RoutePolicy.DEFAULT);
        }
    }

    /**
     * One route target.
     *
     * @param weight   share under {@code weighted}, ≥ 1
     * @param priority order under {@code priority} (lowest first); the position in the route when unset
     */
    public record Target(String providerId, String model, int weight, int priority) {

        /** A target of weight 1 and priority 0. */
        public Target(String providerId, String model) {
            this(providerId, model, 1, 0);
        }

        /** @return {@code providerId + "/" + model}: the target's name in breakers, metrics and usage events */
        public String key() {
            return providerId + "/" + model;
        }
    }

    /**
     * A provider connection. {@code toString} hides the credential.
     *
     * @param apiKey the provider credential in clear; never logged
     */
    public record ProviderEntry(String providerId, String name, String type, String baseUrl, String apiKey,
                                List<String> extraApiKeys) {

        /** A provider with one credential. */
        public ProviderEntry(String providerId, String name, String type, String baseUrl, String apiKey) {
            this(providerId, name, type, baseUrl, apiKey, List.of());
        }

        public ProviderEntry {
            extraApiKeys = extraApiKeys == null ? List.of() : List.copyOf(extraApiKeys);
        }

        /** @return how many credentials the provider holds (the first and the extra ones) */
        public int credentialCount() {
            return apiKey == null ? 0 : 1 + extraApiKeys.size();
        }

        /** @return this provider with credential {@code index} (0 = the first) as its {@code apiKey} */
        public ProviderEntry withCredential(int index) {
            return index == 0 ? this : new ProviderEntry(providerId, name, type, baseUrl, extraApiKeys.get(index - 1),
                    List.of());
        }

        @Override
        public String toString() {
            return "ProviderEntry[providerId=" + providerId + ", name=" + name + ", type=" + type + ", baseUrl=" + baseUrl
                    + ", apiKey=***" + (extraApiKeys.isEmpty() ? "" : ", " + extraApiKeys.size() + " more") + "]";
        }
    }

    /**
     * The route a caller of {@code tenantId} reaches with {@code model}: its own tenant's route of
     * that public name, else the global route of that public name, else null. Only public names
     * resolve: a route id, {@code <tenantId>/<model>} of any tenant, or another tenant's route
     * never does (issue #9).
     */
    public RouteEntry route(String tenantId, String model) {
        RouteEntry own = tenantId == null ? null : routes.get(new RouteKey(tenantId, model));
        return own != null ? own : routes.get(RouteKey.global(model));
    }

    /** @return the routes a tenant sees: global ones plus its own (its own win on a name clash) */
    public List<RouteEntry> visibleRoutes(String tenantId) {
        Map<String, RouteEntry> byModel = new java.util.TreeMap<>();
        routes.values().stream().filter(r -> r.tenantId() == null).forEach(r -> byModel.put(r.model(), r));
        routes.values().stream().filter(r -> tenantId != null && tenantId.equals(r.tenantId()))
                .forEach(r -> byModel.put(r.model(), r));
        return List.copyOf(byModel.values());
    }

    /** @return the policy of a tenant, user or key, or null when none is set */
    public QuotaLimits quota(QuotaScope scope, String subjectId) {
        return subjectId == null ? null : quotas.get(scope.name() + ":" + subjectId);
    }

    /** @return true when the tenant opted in to storing (masked) prompt and completion text */
    public boolean storesPromptContent(String tenantId) {
        TenantEntry t = tenantId == null ? null : tenantsById.get(tenantId);
        return t != null && t.storePromptContent();
    }

    /** @return true when the tenant is known and suspended */
    public boolean suspended(String tenantId) {
        TenantEntry t = tenantsById.get(tenantId);
        return t != null && t.suspended();
    }
}
