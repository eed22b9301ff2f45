package io.llmproxy.edge.config;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Edge settings ({@code llmproxy.edge.*}).
 *
 * @param secretKey               master key (base64 of 32 bytes) that decrypts provider
 *                                credentials; env {@code LLMPROXY_SECRET_KEY}
 * @param snapshotPollInterval    how often the snapshot poller asks PostgreSQL for changed rows
 *                                (default 1 s); with the projection lag this bounds how long a
 *                                revoked key keeps working (ADR 0002)
 * @param snapshotFullReload      how often the whole snapshot is reloaded (default 5 min), which
 *                                also picks up a projection rebuilt from zero (once its replay has
 *                                passed its reset point: SnapshotPoller)
 * @param upstreamConnectTimeout  TCP connect timeout to a provider (default 5 s)
 * @param upstreamIdleTimeout     longest silence from a provider once the request is sent, for
 *                                the first byte and between stream events (default 300 s) → 504
 * @param maxRequestBytes         largest client request body accepted (default 16 MiB) → 413
 * @param redisUrl                Redis holding the quota counters (default {@code redis://127.0.0.1:6379};
 *                                env {@code LLMPROXY_REDIS_HOST}/{@code LLMPROXY_REDIS_PORT})
 * @param quotaStoreTimeout       longest wait for Redis before the tenant's store-down policy applies (default 1 s)
 * @param defaultMaxTokens        completion tokens reserved for a request without {@code max_tokens} /
 *                                {@code max_completion_tokens} (default 4096)
 * @param usageBufferDir          directory of the durable usage buffer, the write-ahead journal
 *                                of usage events not yet acknowledged by Kafka (default
 *                                {@code data/usage-buffer} under the working directory; env
 *                                {@code LLMPROXY_USAGE_BUFFER_DIR}); one edge process per directory
 *                                (a second one fails at start); keep it on a persistent volume so
 *                                that a restarted edge sends what its predecessor buffered (ADR 0006)
 * @param usageBufferMaxBytes     most bytes of unsent usage events the buffer holds (default 1 GiB,
 *                                about 2.2 million events of ~470 bytes); beyond it an event is
 *                                counted in {@code llmproxy.usage.buffer.rejected} and logged at
 *                                ERROR with its JSON instead of being buffered
 * @param usageBufferLinger       how long the journal's writer waits, after the first event of a batch,
 *                                for more before it writes and syncs them (group commit; default 5 ms):
 *                                at 1,000 calls/s that makes one fsync per ~5 events instead of one per
 *                                event; an event reaches Kafka at most this much later. 0 = no wait. The
 *                                writer waits at most {@code usage-buffer-durable-linger} once an answer waits
 *                                for one of its events
 * @param usageBufferDurableAnswers whether an answered call's end waits until its usage event is synced to
 *                                the buffer (default true): the body of a whole answer, the last event of a
 *                                stream ({@code [DONE]}, {@code message_stop}, {@code "done":true},
 *                                {@code response.completed}) or its error ending, an error answer; a SIGKILLed
 *                                edge then loses no event of a call whose client has the whole answer. An
 *                                event not buffered (buffer full, disk error) is logged at ERROR as always,
 *                                and the answer still goes out. False: answers never wait (ADR 0006)
 * @param usageBufferDurableLinger how long the writer waits for more events once an answer waits for one of
 *                                its batch, only while calls come faster than syncs (the previous batch held
 *                                more than one event; default 1 ms: fewer fsyncs, less CPU per call at
 *                                1,000 calls/s); a lone call is synced at once. 0 = never; at most
 *                                {@code usage-buffer-linger}
 * @param usageSenderLinger       how long the journal's sender waits, when it finds fewer than a full batch
 *                                of events to send, for more (default 100 ms): one produce request and one
 *                                checkpoint write per ~100 events at 1,000 calls/s instead of per ~5 (the
 *                                sender and the producer's network thread spent 86–94 µs of CPU per call with
 *                                5 ms, 39–44 with 100 ms; issue #16). An event reaches Kafka, hence billing and
 *                                the audit log, up to this much later; nothing waits for it (an answer waits
 *                                only for the journal). Shutdown cuts the wait. 0 = no wait
 * @param usageBufferAnswersWaitFor with durable answers, whether an answer waits for its event's write to the
 *                                journal ({@code write}, the default: survives a crash of the edge's process; the
 *                                writes are synced within {@code usage-buffer-linger}) or for its sync to disk
 *                                ({@code sync}: survives a crash of the machine too; measured at 1,000 calls/s on 2
 *                                shared cores, about +1 ms at p50 and +4 ms at p99 more, issue #16)
 */
@ConfigurationProperties("llmproxy.edge")
public record EdgeProperties(
        String secretKey,
        @DefaultValue("250ms") Duration snapshotPollInterval,
        @DefaultValue("5m") Duration snapshotFullReload,
        @DefaultValue("5s") Duration upstreamConnectTimeout,
        @DefaultValue("300s") Duration upstreamIdleTimeout,
        @DefaultValue("16777216") int maxRequestBytes,
        @DefaultValue("redis://127.0.0.1:6379") String redisUrl,
        @DefaultValue("1s") Duration quotaStoreTimeout,
        @DefaultValue("4096") long defaultMaxTokens,
        @DefaultValue("data/usage-buffer") Path usageBufferDir,
        @DefaultValue("1GB") DataSize usageBufferMaxBytes,
        @DefaultValue("5ms") Duration usageBufferLinger,
        @DefaultValue("true") boolean usageBufferDurableAnswers,
        @DefaultValue("1ms") Duration usageBufferDurableLinger,
        @DefaultValue("100ms") Duration usageSenderLinger,
        @DefaultValue("write") AnswersWaitFor usageBufferAnswersWaitFor) {

    /** What an answer waits for when {@code usage-buffer-durable-answers} is on (ADR 0006). */
    public enum AnswersWaitFor {
        /**
         * The event's write to the journal: the operating system holds it, so a crash (or SIGKILL) of the edge's
         * process loses none; the writes are synced at most {@code usage-buffer-linger} later, so a crash of the
         * machine may lose the events of that window.
         */
        WRITE,
        /** The event's sync to disk ({@code fdatasync}): a crash of the machine loses none either; about one fsync more per answer. */
        SYNC
    }
}
