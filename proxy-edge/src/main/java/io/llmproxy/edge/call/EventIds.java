package io.llmproxy.edge.call;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Usage event ids without blocking: a UUID version 7 (RFC 9562 §5.7: 48-bit Unix time in ms,
 * then 74 random bits), with the random bits from {@link ThreadLocalRandom}. {@code UUID.randomUUID()}
 * uses {@code SecureRandom}, which may read {@code /dev/urandom} — a blocking call that must not
 * run on a Netty event loop (BlockHound in the tests fails it). The ids only need to be unique,
 * not secret; being time-ordered they also index well.
 */
public final class EventIds {

    private EventIds() {
    }

    /** @return a new version 7, IETF variant UUID */
    public static UUID next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long millis = System.currentTimeMillis();
        long msb = (millis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }
}
