package io.llmproxy.edge.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.edge.support.TestEdgeProperties;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.TransportMode;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * Redisson's connections live on the HTTP server's own event loops (issue #16): the group the edge gives
 * Redisson is the one Reactor Netty serves requests on, a Redis reply is handled on one of those loops,
 * closing the edge closes Redisson before the loops, and shutting Redisson down leaves the loops running.
 * Loops of a kind Redisson has no transport for leave it its own threads, and so does an edge without a
 * resource factory.
 */
class EdgeRedissonLoopsTest {

    static Stream<Arguments> loopKinds() {
        return Stream.of(
                Arguments.of("epoll", (Supplier<EventLoopGroup>) () -> new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory()),
                        TransportMode.EPOLL),
                Arguments.of("nio", (Supplier<EventLoopGroup>) () -> new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()),
                        TransportMode.NIO),
                Arguments.of("default (no I/O handler)", (Supplier<EventLoopGroup>) () -> new DefaultEventLoopGroup(1), null));
    }

    @ParameterizedTest(name = "{0} loops: Redisson transport {2}")
    @MethodSource("loopKinds")
    void theTransportIsTheOneWhoseChannelsRegisterOnTheLoops(String kind, Supplier<EventLoopGroup> group, TransportMode expected) {
        assertThat(Epoll.isAvailable()).as("this Linux machine has native epoll").isTrue();
        EventLoopGroup loops = group.get();
        try {
            assertThat(EdgeConfiguration.transportOf(loops)).isEqualTo(expected);
        } finally {
            loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        }
    }

    @Test
    void redisConnectionsAndRepliesAreOnTheServersLoopsAndCloseBeforeThem() {
        AtomicReference<EventLoopGroup> server = new AtomicReference<>();
        AtomicReference<RedissonClient> client = new AtomicReference<>();
        new ApplicationContextRunner()
                .withBean(ReactorResourceFactory.class, () -> {
                    ReactorResourceFactory own = new ReactorResourceFactory();
                    own.setUseGlobalResources(false);
                    return own;
                })
                .withBean(EdgeProperties.class, EdgeRedissonLoopsTest::properties)
                .withUserConfiguration(EdgeConfiguration.class)
                .run(context -> {
                    EventLoopGroup loops = EdgeConfiguration.serverLoops(context.getBean(ReactorResourceFactory.class));
                    server.set(loops);
                    RedissonClient redisson = context.getBean(RedissonClient.class);
                    client.set(redisson);
                    assertThat(((Redisson) redisson).getServiceManager().getGroup()).isSameAs(loops);

                    String key = "edge-loops-test:" + UUID.randomUUID();
                    Thread replied = redisson.reactive().getBucket(key, StringCodec.INSTANCE).set("v", Duration.ofSeconds(30))
                            .then(redisson.reactive().getBucket(key, StringCodec.INSTANCE).get())
                            .map(value -> {
                                assertThat(value).isEqualTo("v");
                                return Thread.currentThread();
                            })
                            .block(Duration.ofSeconds(10));
                    assertThat(isLoopOf(loops, replied)).as("reply handled on %s", replied.getName()).isTrue();
                });
        assertThat(client.get().isShutdown()).isTrue();
        // Redisson never shuts down a group it was given: the factory did, after Redisson had closed
        assertThat(server.get().isTerminated() || server.get().isShuttingDown()).isTrue();
    }

    @Test
    void shuttingRedissonDownLeavesTheServersLoopsRunning() throws Exception {
        ReactorResourceFactory factory = new ReactorResourceFactory();
        factory.setUseGlobalResources(false);
        factory.afterPropertiesSet();
        try {
            EventLoopGroup loops = EdgeConfiguration.serverLoops(factory);
            RedissonClient redisson = new EdgeConfiguration().redisson(properties(), loops);
            String key = "edge-loops-test:" + UUID.randomUUID();
            redisson.getBucket(key, StringCodec.INSTANCE).set("v", Duration.ofSeconds(30));
            redisson.shutdown();

            assertThat(redisson.isShuttingDown()).isTrue(); // isShutdown() means "its loops terminated"
            assertThat(loops.isShuttingDown()).isFalse();
            assertThat(loops.next().submit(() -> "still serving").get(5, TimeUnit.SECONDS)).isEqualTo("still serving");
        } finally {
            factory.destroy();
        }
    }

    @Test
    void withoutAResourceFactoryRedissonKeepsItsOwnLoops() {
        new ApplicationContextRunner()
                .withBean(EdgeProperties.class, EdgeRedissonLoopsTest::properties)
                .withUserConfiguration(EdgeConfiguration.class)
                .run(context -> {
                    RedissonClient redisson = context.getBean(RedissonClient.class);
                    String key = "edge-loops-test:" + UUID.randomUUID();
                    Thread replied = redisson.reactive().getBucket(key, StringCodec.INSTANCE).set("v", Duration.ofSeconds(30))
                            .then(redisson.reactive().getBucket(key, StringCodec.INSTANCE).get())
                            .map(value -> Thread.currentThread())
                            .block(Duration.ofSeconds(10));
                    assertThat(replied.getName()).startsWith("redisson-netty-");
                });
    }

    private static boolean isLoopOf(EventLoopGroup loops, Thread thread) {
        for (EventExecutor loop : loops) {
            if (loop.inEventLoop(thread)) {
                return true;
            }
        }
        return false;
    }

    private static EdgeProperties properties() {
        return TestEdgeProperties.of(null, Duration.ofMillis(250), Duration.ofMinutes(5), Duration.ofSeconds(5),
                Duration.ofSeconds(300));
    }
}
