package io.llmproxy.edge.quota;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.redisson.api.RScript;
import org.redisson.api.RedissonReactiveClient;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.ClassPathResource;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The quota's Lua scripts in Redis ({@code quota/reserve.lua}, {@code settle.lua}, {@code release.lua} on the
 * class path) and how {@link QuotaService} runs them through Redisson. Logs by logger
 * {@code io.llmproxy.edge.quota.QuotaService}.
 */
final class QuotaScripts {

    /** A script: its body and the SHA-1 that {@code EVALSHA} names it by. */
    enum Script {
        RESERVE("quota/reserve.lua"), SETTLE("quota/settle.lua"), RELEASE("quota/release.lua");

        final String body;
        final String sha;

        Script(String path) {
            this.body = load(path);
            this.sha = sha1(body);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(QuotaService.class);

    private final RedissonReactiveClient redis;
    /**
     * Whether Redisson has connected once: until then a call connects first, and Redisson's lazy connect
     * waits for it ({@code MasterSlaveConnectionManager.lazyConnect}, a {@code CompletableFuture.get}), so
     * calls are subscribed off the event loop; after it, Redisson reconnects without waiting on any thread (on
     * the server's event loops, which it shares: {@code EdgeConfiguration}).
     */
    private volatile boolean connected;

    QuotaScripts(RedissonReactiveClient redis) {
        this.redis = redis;
    }

    /**
     * Opens the Redis connection and loads the scripts while the application starts (on the main
     * thread, before the server accepts requests, at most 3 s). Redisson connects lazily, and
     * connecting is blocking: it must not happen on an event loop. Redis being down at start-up
     * is logged, not fatal.
     */
    void warmUp() {
        try {
            Mono<String> loads = Mono.empty();
            for (Script script : Script.values()) {
                loads = loads.then(redis.getScript(StringCodec.INSTANCE).scriptLoad(script.body));
            }
            loads.block(Duration.ofSeconds(3));
            connected = true;
        } catch (RuntimeException e) {
            log.warn("Quota store not reachable at start-up ({}); tenants with quotas follow their store-down policy",
                    QuotaService.rootCause(e));
        }
    }

    /**
     * Runs a script by its SHA-1 ({@code EVALSHA}, the script body is not sent each time); when
     * Redis does not have it (restarted or flushed: {@code NOSCRIPT}), runs it with {@code EVAL},
     * which also caches it again.
     *
     * <p>Once Redisson has connected, the call is made from the caller's thread, the event loop: Redisson
     * only queues the command for its own connection thread (issue #16: subscribing every call from a
     * bounded-elastic thread cost a thread hand-off per call, two per request). Until then, the call is
     * subscribed from a bounded-elastic thread, as Redisson's first connect waits (BlockHound, in
     * {@code EdgeQuotaStoreDownTest}, finds that wait on the event loop when Redis is down at start-up).
     * Taking a connection from Redisson's pool may wait on the pool's in-memory lock
     * ({@code org.redisson.misc.WrappedLock}) while a Redisson thread returns one: a lock held for a queue
     * operation, as Netty's and Reactor's own internal locks are, and allowed as such in the tests' BlockHound.
     *
     * @return the script's answer, of {@code type}; an error when Redis fails or does not answer in time
     */
    <R> Mono<R> run(Script script, RScript.ReturnType type, List<Object> keys, Object[] args) {
        Mono<R> call = Mono.defer(() -> redis.getScript(StringCodec.INSTANCE)
                        .<R>evalSha(RScript.Mode.READ_WRITE, script.sha, type, keys, args))
                .onErrorResume(e -> String.valueOf(e.getMessage()).contains("NOSCRIPT"),
                        e -> redis.getScript(StringCodec.INSTANCE).<R>eval(RScript.Mode.READ_WRITE, script.body, type, keys, args));
        if (connected) {
            return call;
        }
        return call.doOnSuccess(r -> connected = true).subscribeOn(Schedulers.boundedElastic());
    }

    private static String sha1(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String load(String path) {
        try (var in = new ClassPathResource(path).getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
