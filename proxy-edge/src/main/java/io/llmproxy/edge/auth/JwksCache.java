package io.llmproxy.edge.auth;

import com.nimbusds.jose.jwk.JWKSet;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The realm's signing keys (JWKS, {@code <issuer>/protocol/openid-connect/certs}), fetched off the
 * request path (issue #10): at start, every {@code refresh} (5 min), and on demand when a token names
 * an unknown {@code kid} — at most once per {@code minInterval} (10 s), so forged kids cannot make the
 * edge hammer Keycloak. A call never waits for Keycloak: it is verified against the keys held now.
 * Keycloak unreachable: the last keys stay in use (logged once per failure, without any token).
 */
final class JwksCache implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JwksCache.class);

    private final WebClient web;
    private final String jwksUri;
    private final Duration minInterval;
    private final AtomicReference<JWKSet> keys = new AtomicReference<>(new JWKSet());
    private final AtomicLong lastFetchNanos = new AtomicLong(System.nanoTime() - Duration.ofDays(1).toNanos());
    private final Disposable schedule;

    JwksCache(String jwksUri, Duration refresh, Duration minInterval) {
        this.web = WebClient.create();
        this.jwksUri = jwksUri;
        this.minInterval = minInterval;
        this.schedule = Flux.interval(Duration.ZERO, refresh).flatMap(tick -> fetch(), 1).subscribe();
    }

    /** Fixed keys, never fetched (benchmarks). */
    JwksCache(JWKSet fixed) {
        this.web = null;
        this.jwksUri = null;
        this.minInterval = Duration.ofDays(365_000);
        this.keys.set(fixed);
        this.lastFetchNanos.set(System.nanoTime());
        this.schedule = () -> { };
    }

    /** @return the keys held now (never null; empty before the first fetch) */
    JWKSet current() {
        return keys.get();
    }

    /** Asks for a refresh (an unknown kid); ignored within {@code minInterval} of the last fetch. */
    void refreshSoon() {
        long last = lastFetchNanos.get(); // before reading the clock
        if (System.nanoTime() - last >= minInterval.toNanos()) {
            fetch().subscribe();
        }
    }

    private Mono<Void> fetch() {
        lastFetchNanos.set(System.nanoTime());
        return web.get().uri(jwksUri).retrieve().bodyToMono(String.class)
                .timeout(Duration.ofSeconds(5))
                .doOnNext(body -> {
                    try {
                        keys.set(JWKSet.parse(body));
                    } catch (java.text.ParseException e) {
                        log.warn("The JWKS at {} does not parse; keeping the previous keys", jwksUri);
                    }
                })
                .onErrorResume(e -> {
                    log.warn("The JWKS at {} cannot be fetched ({}); keeping the previous keys", jwksUri, e.getClass().getSimpleName());
                    return Mono.empty();
                })
                .then();
    }

    @Override
    public void close() {
        schedule.dispose();
    }
}
