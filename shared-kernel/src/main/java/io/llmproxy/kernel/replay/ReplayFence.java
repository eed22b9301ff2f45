package io.llmproxy.kernel.replay;

import java.util.function.BooleanSupplier;

/**
 * The database contract that tells a reader whether an event processor's read model is being
 * rebuilt by a replay (ADR 0023 addendum). A replay empties the read models and rebuilds them event
 * by event, so while it runs they hold an old state of the world: a revoked API key or role
 * assignment is in force again until its revocation is replayed, a suspended tenant is active, the
 * price schedule lacks its latest prices. Whoever takes a security or billing decision from those
 * tables must not take it from a replaying one:
 * <ul>
 *   <li>the admin apps give a Keycloak principal no authority while {@code admin-read-model} replays;</li>
 *   <li>the edge keeps its last snapshot of a replaying processor's tables (and does not load a first one);</li>
 *   <li>the usage consumer does not price usage events while {@code admin-read-model} replays (it retries).</li>
 * </ul>
 *
 * <p>The state is in {@code projection_segment_position.replaying} (V15): the reset's transaction
 * marks every segment of the processor {@code replaying} (position -1), and each segment's owner
 * clears its flag once its in-memory token has passed the reset point ({@code SegmentSteward}).
 * Only segments present in Axon's token store count. A database without these tables (an app
 * running without query-side) has no replays. Each statement is plain SQL for a
 * {@code JdbcTemplate} of the reading module.
 */
public final class ReplayFence {

    /** The processor of the admin read models (keys, tenants, quotas, routes, providers, prices, role assignments). */
    public static final String ADMIN_READ_MODEL = "admin-read-model";

    /**
     * → one boolean: true when the fence's tables and column exist (query-side's migrations V12 and
     * V15, Axon's token table). A reader may keep a true answer (tables are never dropped).
     */
    public static final String PRESENT = """
            SELECT to_regclass('tokenentry') IS NOT NULL AND EXISTS (SELECT 1 FROM pg_attribute
                WHERE attrelid = to_regclass('projection_segment_position') AND attname = 'replaying' AND NOT attisdropped)""";

    /** One parameter, the processor name → one boolean: true while a segment of it replays. Needs {@link #PRESENT}. */
    public static final String REPLAYING = """
            SELECT EXISTS (SELECT 1 FROM projection_segment_position p
                JOIN tokenentry t ON t.processorname = p.processor AND t.segment = p.segment
                WHERE p.processor = ? AND p.replaying)""";

    /**
     * A condition to AND into a query, with one parameter (the processor name): true while no segment of
     * it replays. Needs {@link #PRESENT}.
     */
    public static final String NOT_REPLAYING_CONDITION = """
            NOT EXISTS (SELECT 1 FROM projection_segment_position fence_p
                JOIN tokenentry fence_t ON fence_t.processorname = fence_p.processor AND fence_t.segment = fence_p.segment
                WHERE fence_p.processor = ? AND fence_p.replaying)""";

    private ReplayFence() {
    }

    /**
     * Whether one database has the fence's tables ({@link #PRESENT}), asked again on each call until
     * the answer is true and then kept (the tables are never dropped). Thread-safe.
     */
    public static final class Presence {

        private final BooleanSupplier ask;
        private volatile boolean present;

        /** @param ask runs {@link #PRESENT} on the reader's database (a {@code JdbcTemplate} of its module) */
        public Presence(BooleanSupplier ask) {
            this.ask = ask;
        }

        /** @return true once the database has the fence's tables; may run {@code ask} (a database round trip) */
        public boolean present() {
            if (!present) {
                present = ask.getAsBoolean();
            }
            return present;
        }
    }
}
