package io.llmproxy.identity;

import java.util.List;

/**
 * What one {@link RealmProvisioner#provision(RealmSpec)} run changed, one line per created or
 * updated object, e.g. {@code "client llmproxy-admin-ui: updated redirectUris, webOrigins"}.
 * Lines name objects and fields, never values of secrets.
 *
 * @param realm   the realm provisioned
 * @param changes the changes, in the order they were made; empty when the realm was already in shape
 */
public record ProvisioningReport(String realm, List<String> changes) {

    public ProvisioningReport {
        changes = List.copyOf(changes);
    }

    /** @return true when anything was created or updated */
    public boolean changed() {
        return !changes.isEmpty();
    }
}
