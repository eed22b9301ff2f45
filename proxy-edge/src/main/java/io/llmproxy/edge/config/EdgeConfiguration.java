package io.llmproxy.edge.config;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.time.Clock;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.api.RedissonReactiveClient;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;
import org.redisson.config.TransportMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;

/** Infrastructure beans of the edge: the clock (replaceable in tests) and the Redis client. */
@Configuration
class EdgeConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EdgeConfiguration.class);

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * Redisson, connecting lazily (the edge starts and serves tenants without quotas while Redis
     * is down), with a short command timeout so that a dead Redis is detected in
     * {@code quotaStoreTimeout}, not Redisson's default 3 s, and a timer that ticks at that timeout's
     * step (100 ms for 1 s), not at a random 10–49 ms.
     *
     * <p>Its connections live on the HTTP server's own event loops ({@link #serverLoops}), not on threads
     * of Redisson's own (issue #16): a quota command written from a request's event loop and its reply
     * then cross no thread when the Redis connection is on that loop, and two threads fewer compete for
     * the cores. The edge never waits for Redis on a loop: calls made before Redisson has connected once
     * are subscribed off the loops ({@code QuotaScripts}), and BlockHound checks the rest in tests.
     * The resource factory is created before this bean (it is looked up while this one is made), and Spring
     * destroys singletons in the reverse order of their creation: Redisson closes its connections while the
     * loops still run; it never shuts down a group it was given.
     */
    @Bean(destroyMethod = "shutdown")
    RedissonClient redisson(EdgeProperties properties, ObjectProvider<ReactorResourceFactory> resources) {
        ReactorResourceFactory factory = resources.getIfAvailable();
        return redisson(properties, factory == null ? null : serverLoops(factory));
    }

    /**
     * @param loops the event loops to put Redis connections on; null (or loops of a kind Redisson cannot use,
     *     see {@link #transportOf}): Redisson's own, as many as there are cores
     * @return a Redisson client of the edge's settings, not yet connected
     */
    RedissonClient redisson(EdgeProperties properties, EventLoopGroup loops) {
        Config config = new Config();
        config.setLazyInitialization(true);
        // Two Redis calls per request need few threads; Redisson's defaults (32 I/O + 16 worker
        // threads) only add context switches on a small machine.
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        TransportMode transport = loops == null ? null : transportOf(loops);
        if (transport != null) {
            config.setEventLoopGroup(loops).setTransportMode(transport);
        } else {
            log.info("Redis connections on Redisson's own event loops (the server's are {})", loops);
            config.setNettyThreads(threads);
        }
        config.setThreads(threads);
        config.useSingleServer()
                .setAddress(properties.redisUrl())
                .setConnectTimeout((int) properties.quotaStoreTimeout().toMillis())
                .setTimeout((int) properties.quotaStoreTimeout().toMillis())
                .setRetryAttempts(0)
                // unused for retries (none), but Redisson ticks its timer at a step it derives from the first
                // retry delay and the timeout: with the default jittered delay a random 10–49 ms (measured: 67
                // wake-ups a second, 5.5 ms of CPU a second at idle on 2 cores); with this one the timeout's
                // own step, 100 ms for the default 1 s (issue #16)
                .setRetryDelay(new ConstantDelay(properties.quotaStoreTimeout()))
                .setConnectionMinimumIdleSize(4)
                .setConnectionPoolSize(32);
        return Redisson.create(config);
    }

    /**
     * @return the event loops that serve the HTTP server's connections (Reactor Netty's, native when the
     *     platform has them, as the server itself picks them)
     */
    static EventLoopGroup serverLoops(ReactorResourceFactory factory) {
        return factory.getLoopResources().onServer(true);
    }

    /**
     * @return the Redisson transport whose channels register on {@code loops} (epoll or NIO), or null when
     *     the loops are of another kind (io_uring, or not Netty 4.2 I/O loops): Redisson then keeps its own
     */
    static TransportMode transportOf(EventLoopGroup loops) {
        if (loops instanceof IoEventLoopGroup io) {
            if (io.isIoType(EpollIoHandler.class)) {
                return TransportMode.EPOLL;
            }
            if (io.isIoType(NioIoHandler.class)) {
                return TransportMode.NIO;
            }
        }
        return null;
    }

    @Bean
    RedissonReactiveClient redissonReactive(RedissonClient redisson) {
        return redisson.reactive();
    }
}
