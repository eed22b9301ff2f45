package io.llmproxy.edge.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.edge.support.TestEdgeProperties;
import io.netty.channel.EventLoopGroup;
import io.netty.util.HashedWheelTimer;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.springframework.util.unit.DataSize;

/**
 * The step of Redisson's timer (the thread {@code redisson-timer}, which wakes at every step whatever the
 * traffic): Redisson derives it from the smaller of the command timeout and the first retry delay, and its
 * default retry delay is jittered, which gave a random step of 10–49 ms (67 wake-ups a second measured at idle,
 * issue #16). With the edge's constant retry delay it is the timeout's own step, the same at every start.
 */
class EdgeRedissonTimerTest {

    @ParameterizedTest(name = "quota store timeout {0} ms: a tick every {1} ms")
    @CsvSource({
            "1000, 100", // the default: a multiple of 100 ms
            "250, 25", // Redisson: half the remainder over 100 ms
            "100, 50"})
    void theTimerTicksAtTheStepOfTheQuotaStoreTimeout(long timeoutMs, long tickMs) throws Exception {
        EdgeProperties base = TestEdgeProperties.of(null, Duration.ofMillis(250), Duration.ofMinutes(5), Duration.ofSeconds(5),
                Duration.ofSeconds(300));
        EdgeProperties properties = new EdgeProperties(null, base.snapshotPollInterval(), base.snapshotFullReload(),
                base.upstreamConnectTimeout(), base.upstreamIdleTimeout(), 1 << 20, "redis://127.0.0.1:6379",
                Duration.ofMillis(timeoutMs), 4096, Path.of("target/unused"), DataSize.ofMegabytes(1), Duration.ofMillis(5),
                true, Duration.ZERO, Duration.ofMillis(100), EdgeProperties.AnswersWaitFor.WRITE);
        RedissonClient redisson = new EdgeConfiguration().redisson(properties, (EventLoopGroup) null);
        try {
            HashedWheelTimer timer = ((Redisson) redisson).getServiceManager().getTimer();
            Field tick = HashedWheelTimer.class.getDeclaredField("tickDuration");
            tick.setAccessible(true);
            assertThat(TimeUnit.NANOSECONDS.toMillis((long) tick.get(timer))).isEqualTo(tickMs);
        } finally {
            redisson.shutdown();
        }
    }
}
