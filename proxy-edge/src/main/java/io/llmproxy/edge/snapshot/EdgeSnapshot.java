package io.llmproxy.edge.snapshot;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the edge needs from the read model, held in memory (immutable; replaced whole on change).
 *
 * @param keysByHash      API keys by SHA-256 hex of the key
 * @param routesByModel   routes by public model name
 * @param providersById   provider connections with their decrypted credential
 * @param changeIndex     highest {@code change_index} seen (Axon global index)
 * @param loadedAt        when the snapshot last changed or was confirmed current
 */
public record EdgeSnapshot(Map<String, ApiKeyEntry> keysByHash, Map<String, RouteEntry> routesByModel,
                           Map<String, ProviderEntry> providersById, long changeIndex, Instant loadedAt) {

    /** The snapshot before anything was loaded. */
    public static final EdgeSnapshot EMPTY = new EdgeSnapshot(Map.of(), Map.of(), Map.of(), -1, Instant.EPOCH);

    /** An API key as the edge sees it. */
    public record ApiKeyEntry(String apiKeyId, String tenantId, boolean active) {
    }

    /** A route: public model → provider models, in order of preference. */
    public record RouteEntry(String model, List<Target> targets, Instant updatedAt) {
    }

    /** One route target. */
    public record Target(String providerId, String model) {
    }

    /**
     * A provider connection. {@code toString} hides the credential.
     *
     * @param apiKey the provider credential in clear; never logged
     */
    public record ProviderEntry(String providerId, String name, String type, String baseUrl, String apiKey) {
        @Override
        public String toString() {
            return "ProviderEntry[providerId=" + providerId + ", name=" + name + ", type=" + type + ", baseUrl=" + baseUrl
                    + ", apiKey=***]";
        }
    }
}
