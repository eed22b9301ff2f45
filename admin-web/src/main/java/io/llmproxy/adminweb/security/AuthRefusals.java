package io.llmproxy.adminweb.security;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.InsufficientAuthenticationException;
import org.springframework.security.core.AuthenticationException;

/**
 * Counts the admin apps' refusals in Micrometer, for dashboards and alerts (issue #10): counter
 * {@value #METER} with tags {@code status} ({@code 401}, {@code 403}) and {@code reason}, a bounded
 * set — {@code missing}, {@code expired}, {@code wrong_issuer}, {@code wrong_audience},
 * {@code bad_signature}, {@code malformed}, {@code bad_token} (not the bootstrap token),
 * {@code invalid} (any other 401), {@code forbidden} (403). The reason is derived from Spring
 * Security's exception type and message, never from the token, which is neither logged nor tagged.
 * Shown at {@code /actuator/metrics/llmproxy.admin.auth.refusals} (PlatformAdmin).
 */
public final class AuthRefusals {

    /** The counter's name. */
    public static final String METER = "llmproxy.admin.auth.refusals";

    private final ObjectProvider<MeterRegistry> registry;

    public AuthRefusals(ObjectProvider<MeterRegistry> registry) {
        this.registry = registry;
    }

    /** Counts a 401 caused by {@code e}. */
    public void unauthorized(AuthenticationException e) {
        count("401", reason(e));
    }

    /** Counts a 403. */
    public void forbidden() {
        count("403", "forbidden");
    }

    private void count(String status, String reason) {
        MeterRegistry meters = registry.getIfAvailable();
        if (meters != null) {
            meters.counter(METER, "status", status, "reason", reason).increment();
        }
    }

    /** @return the bounded reason of a 401 */
    static String reason(AuthenticationException e) {
        if (e == null || e instanceof InsufficientAuthenticationException) {
            return "missing";
        }
        String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        if (m.contains("expired")) {
            return "expired";
        }
        if (m.contains("iss claim") || m.contains("issuer")) {
            return "wrong_issuer";
        }
        if (m.contains("audience")) {
            return "wrong_audience";
        }
        if (m.contains("signature") || m.contains("signed jwt rejected") || m.contains("algorithm")
                || m.contains("no matching key")) {
            return "bad_signature";
        }
        // what is left of Nimbus' "An error occurred while attempting to decode the Jwt: …" is a parse failure
        if (m.contains("malformed") || m.contains("parse") || m.contains("decode the jwt")
                || m.contains("serialization") || m.contains("invalid json")) {
            return "malformed";
        }
        if (e instanceof BadCredentialsException) {
            return "bad_token";
        }
        return "invalid";
    }
}
