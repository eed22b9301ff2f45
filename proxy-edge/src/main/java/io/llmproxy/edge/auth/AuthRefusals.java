package io.llmproxy.edge.auth;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counts the edge's refusals of a credential (issue #10): counter {@value #METER}, tag {@code reason}
 * from a bounded set — {@code unknown_key}, {@code revoked}, {@code expired}, {@code tenant_suspended},
 * and for Keycloak tokens {@code malformed}, {@code too_large}, {@code bad_signature},
 * {@code unknown_key} (a {@code kid} not in the JWKS), {@code wrong_issuer}, {@code wrong_audience},
 * {@code unknown_user}, {@code ambiguous_user}. Never the credential itself.
 */
public final class AuthRefusals {

    /** The counter's name. */
    public static final String METER = "llmproxy.edge.auth.refusals";

    private final org.springframework.beans.factory.ObjectProvider<MeterRegistry> registry;

    public AuthRefusals(org.springframework.beans.factory.ObjectProvider<MeterRegistry> registry) {
        this.registry = registry;
    }

    void count(String reason) {
        MeterRegistry meters = registry.getIfAvailable();
        if (meters != null) {
            meters.counter(METER, "reason", reason).increment();
        }
    }
}
