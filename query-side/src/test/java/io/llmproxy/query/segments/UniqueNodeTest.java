package io.llmproxy.query.segments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmproxy.testsupport.LocalPostgres;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * A configured node id that a live instance already uses stops the start: two instances under one
 * name would handle the same segments, and a replay would reset the tokens under the twin's feet.
 * A heartbeat left by a predecessor killed just before is waited out.
 */
class UniqueNodeTest {

    static JdbcTemplate db;

    @BeforeAll
    static void database() {
        String url = LocalPostgres.freshDatabase("llmproxy_unique_node");
        Flyway.configure().dataSource(url, LocalPostgres.user(), LocalPostgres.password())
                .locations("classpath:db/migration/readmodel").table("flyway_readmodel_history").load().migrate();
        db = new JdbcTemplate(new DriverManagerDataSource(url, LocalPostgres.user(), LocalPostgres.password()));
    }

    @BeforeEach
    void empty() {
        db.update("DELETE FROM projection_node");
    }

    void beat(String node, int secondsAgo) {
        db.update("""
                INSERT INTO projection_node (node_id, processor, seen_at, claimed)
                VALUES (?, 'admin-read-model', now() - make_interval(secs => ?), 2)
                ON CONFLICT (node_id, processor) DO UPDATE SET seen_at = excluded.seen_at""", node, secondsAgo);
    }

    @Test
    void anUnusedOrLongSilentNameStartsAtOnce() {
        beat("node-b", 0);
        beat("node-a", 30);
        long started = System.nanoTime();
        UniqueNode.require(db, "node-a", Duration.ofSeconds(3));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void aPredecessorKilledJustBeforeIsWaitedOut() {
        beat("node-a", 1);
        long started = System.nanoTime();
        UniqueNode.require(db, "node-a", Duration.ofSeconds(3));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void aLiveTwinStopsTheStart() throws Exception {
        ScheduledExecutorService twin = Executors.newSingleThreadScheduledExecutor();
        twin.scheduleWithFixedDelay(() -> beat("node-a", 0), 0, 500, TimeUnit.MILLISECONDS);
        try {
            Thread.sleep(300);
            assertThatThrownBy(() -> UniqueNode.require(db, "node-a", Duration.ofSeconds(3)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("another live query-side instance uses LLMPROXY_NODE_ID node-a (its heartbeat in "
                            + "projection_node moved while this one waited): give each instance its own id");
        } finally {
            twin.shutdownNow();
            twin.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
