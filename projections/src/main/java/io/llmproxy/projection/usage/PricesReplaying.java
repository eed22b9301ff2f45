package io.llmproxy.projection.usage;

import io.llmproxy.kernel.replay.ReplayFence;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Thrown, in a usage transaction, while a replay rebuilds {@code admin-read-model}, whose
 * {@code rm_price} the usage events are priced from ({@link ReplayFence}): the half-rebuilt schedule
 * lacks the prices not replayed yet, and a cost is fixed in the ledger when an event is first
 * consumed, so an event priced now would stay unpriced or priced at a superseded price for good.
 * The transaction rolls back and the consumer's error handler retries the poll with back-off
 * ({@code UsageConsumerConfiguration}): usage waits in Kafka until the replay has passed its reset point.
 */
public class PricesReplaying extends RuntimeException {

    PricesReplaying() {
        super("admin-read-model is being replayed: usage events are priced once its price table is rebuilt");
    }

    /** Checks {@link ReplayFence} on one database; keeps knowing that its tables exist once they do. */
    static final class Check {

        private final JdbcTemplate jdbc;
        private final ReplayFence.Presence fence;

        Check(JdbcTemplate jdbc) {
            this.jdbc = jdbc;
            this.fence = new ReplayFence.Presence(() -> Boolean.TRUE.equals(jdbc.queryForObject(ReplayFence.PRESENT, Boolean.class)));
        }

        /**
         * Run as the last statement of a usage transaction, after the prices were read: a reset that
         * empties {@code rm_price} waits for the locks of those reads, so when this finds no replay
         * the prices read were the whole schedule.
         *
         * @throws PricesReplaying while a segment of {@code admin-read-model} replays
         */
        void requireNoReplay() {
            if (fence.present() && Boolean.TRUE.equals(jdbc.queryForObject(ReplayFence.REPLAYING, Boolean.class, ReplayFence.ADMIN_READ_MODEL))) {
                throw new PricesReplaying();
            }
        }
    }
}
