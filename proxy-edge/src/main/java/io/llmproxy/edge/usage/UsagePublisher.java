package io.llmproxy.edge.usage;

import io.llmproxy.edge.config.EdgeProperties;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Delivers every usage event to Kafka ({@value UsageRecorded#TOPIC}, key = tenant id, JSON value)
 * through a durable local buffer, off the response path (ADR 0006):
 * <ol>
 *   <li>{@link #publish} adds the event to a lock-free in-memory queue and, when the queue was
 *       empty, unparks the {@code usage-journal} thread; nothing an event loop could wait on.
 *       {@link #publishAwaited} does the same and returns a {@link Receipt} an answer can wait for.</li>
 *   <li>{@code usage-journal} ({@link UsageJournalWriter}) waits {@code llmproxy.edge.usage-buffer-linger}
 *       (5 ms) after a batch's first event for more (when an answer waits for one of them, at most
 *       {@code llmproxy.edge.usage-buffer-durable-linger}, and only while calls come faster than syncs),
 *       serializes them, appends them to the {@link UsageJournal} on disk
 *       ({@code llmproxy.edge.usage-buffer-dir}) and syncs once per batch (write-ahead, group commit); a batch an
 *       answer waits for is only written, and synced within the linger, unless
 *       {@code llmproxy.edge.usage-buffer-answers-wait-for=sync}.</li>
 *   <li>{@code usage-sender} reads the journal from its head in order (waiting
 *       {@code llmproxy.edge.usage-sender-linger}, 100 ms, when it finds fewer than a full batch), sends a batch of up to
 *       {@value #SEND_BATCH} events with the idempotent producer ({@code enable.idempotence=true},
 *       {@code acks=all}, at most 5 requests in flight: forced here whatever the configuration
 *       says) and removes the batch's acknowledged prefix from the journal. While Kafka is
 *       unreachable the producer retries (up to {@code delivery.timeout.ms}); a failed batch is
 *       sent again from its first unacknowledged event after a back-off of 100 ms doubling to 5 s,
 *       so one tenant's events reach its partition in the order the edge finished the calls.</li>
 * </ol>
 * Delivery is at least once: a crash between Kafka's acknowledgement and the journal's may send
 * an event again after restart; consumers count by {@code eventId}. Events still buffered at
 * shutdown stay on disk and are sent by the next process using the same directory.
 *
 * <p>When the buffer holds {@code llmproxy.edge.usage-buffer-max-bytes} of unsent events (or the
 * disk fails) an event that does not fit is <b>not lost silently</b>: it is counted in
 * {@code llmproxy.usage.buffer.rejected} and its whole JSON is logged at ERROR by logger
 * {@code io.llmproxy.edge.usage.UsagePublisher} ("usage event not buffered"), from which it can
 * be replayed; the event carries no secret, and prompt/completion text only for tenants that opted
 * in to content capture, masked.
 *
 * <p>Metrics: {@code llmproxy.usage.buffer.events} (events accepted and not yet acknowledged by
 * Kafka), {@code llmproxy.usage.buffer.bytes}, {@code llmproxy.usage.buffer.oldest.age} (seconds
 * since the oldest unsent event was buffered; 0 when empty), {@code llmproxy.usage.published}
 * (acknowledged by Kafka), {@code llmproxy.usage.publish.duration} (timer, seconds: from sending a batch to its
 * last acknowledgement), {@code llmproxy.usage.publish.failures} (failed send attempts; each is
 * retried), {@code llmproxy.usage.buffer.appends} (batches written to the journal: events
 * per append = the group commit's batch size), {@code llmproxy.usage.buffer.rejected}, {@code llmproxy.usage.buffer.corrupt} (bytes of buffered
 * events the disk corrupted after they were synced: cut off, logged at ERROR; should stay 0).
 */
@Component
public class UsagePublisher implements DisposableBean {

    /** Events sent to Kafka before waiting for their acknowledgements. */
    static final int SEND_BATCH = 500;
    private static final long MAX_BACKOFF_MS = 5000;
    private static final Logger log = LoggerFactory.getLogger(UsagePublisher.class);

    private final Producer<String, String> producer;
    private final JsonMapper json;
    private final UsageJournal journal;
    private final Clock clock;
    private final Duration shutdownGrace;
    private final long lingerNanos;
    private final boolean durableAnswers;
    private final Counter published;
    private final Counter failures;
    private final io.micrometer.core.instrument.Timer publishDuration;
    private final UsageJournalWriter writer;
    private final Thread sender;
    private volatile long senderDeadlineNanos = Long.MAX_VALUE;
    /** True while the sender waits out its linger: an append then has no reason to wake it (only shutdown ends the wait). */
    private volatile boolean senderLingering;

    /** What became of an event an answer waits for ({@link #publishAwaited}). */
    public enum Receipt {
        /** In the journal and synced to disk: a crash of the edge or of its machine no longer loses it. */
        SYNCED,
        /**
         * Written to the journal, not yet synced ({@code usage-buffer-answers-wait-for=write}): a crash of the edge's
         * process no longer loses it; it is synced within {@code usage-buffer-linger}.
         */
        WRITTEN,
        /** Not buffered (buffer full, disk error, edge shutting down): counted and logged at ERROR with its JSON. */
        REJECTED,
        /** Durable answers are off ({@code llmproxy.edge.usage-buffer-durable-answers=false}): nothing to wait for. */
        NOT_AWAITED
    }

    private static final CompletableFuture<Receipt> NOT_AWAITED = CompletableFuture.completedFuture(Receipt.NOT_AWAITED);

    @Autowired
    public UsagePublisher(ProducerFactory<String, String> producerFactory, JsonMapper json, MeterRegistry meters,
                          EdgeProperties properties, Clock clock) {
        this(new KafkaProducer<>(UsageProducerConfig.of(producerFactory.getConfigurationProperties()), new StringSerializer(),
                        new StringSerializer()), json, meters,
                UsageJournal.open(properties.usageBufferDir(), properties.usageBufferMaxBytes().toBytes(),
                        UsageProducerConfig.segmentBytes(properties.usageBufferMaxBytes().toBytes())),
                clock, Duration.ofSeconds(5), properties.usageBufferLinger(), properties.usageBufferDurableAnswers(),
                properties.usageBufferDurableLinger(), properties.usageSenderLinger(),
                properties.usageBufferAnswersWaitFor() == EdgeProperties.AnswersWaitFor.SYNC);
    }

    /**
     * @param producer      the Kafka producer (closed by {@link #destroy})
     * @param journal       the durable buffer (closed by {@link #destroy})
     * @param shutdownGrace how long {@link #destroy} lets the sender drain before leaving the rest on disk
     * @param linger        how long the writer waits after a batch's first event for more (group commit; 0 = none)
     * @param durableAnswers whether {@link #publishAwaited} returns a receipt completed once the event is synced
     *                       (this constructor: answers wait for the sync; else one completed at once with
     *                       {@link Receipt#NOT_AWAITED})
     * @param durableLinger how long the writer waits for more once an answer waits for one of its batch's events
     *                      (0 = none; at most {@code linger})
     */
    UsagePublisher(Producer<String, String> producer, JsonMapper json, MeterRegistry meters, UsageJournal journal,
                   Clock clock, Duration shutdownGrace, Duration linger, boolean durableAnswers, Duration durableLinger) {
        this(producer, json, meters, journal, clock, shutdownGrace, linger, durableAnswers, durableLinger, linger, true);
    }

    /**
     * The same, with the sender's own linger.
     *
     * @param senderLinger how long the sender waits for more when it finds fewer than a full batch (0 = none)
     * @param syncAwaited  with durable answers, whether a receipt completes once its event is synced
     *                     ({@link Receipt#SYNCED}) or once it is written ({@link Receipt#WRITTEN}, synced within {@code linger})
     */
    UsagePublisher(Producer<String, String> producer, JsonMapper json, MeterRegistry meters, UsageJournal journal,
                   Clock clock, Duration shutdownGrace, Duration linger, boolean durableAnswers, Duration durableLinger,
                   Duration senderLinger, boolean syncAwaited) {
        this.lingerNanos = senderLinger.toNanos();
        this.durableAnswers = durableAnswers;
        this.producer = producer;
        this.json = json;
        this.journal = journal;
        this.clock = clock;
        this.shutdownGrace = shutdownGrace;
        this.published = meters.counter("llmproxy.usage.published");
        this.failures = meters.counter("llmproxy.usage.publish.failures");
        this.publishDuration = io.micrometer.core.instrument.Timer.builder("llmproxy.usage.publish.duration")
                .description("from sending a batch of usage events to Kafka to its last acknowledgement")
                .serviceLevelObjectives(Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
                        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
                        Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5))
                .register(meters);
        this.sender = new Thread(this::sendLoop, "usage-sender");
        this.sender.setDaemon(true);
        this.writer = new UsageJournalWriter(json, journal, clock, linger, durableLinger, syncAwaited,
                meters.counter("llmproxy.usage.buffer.appends"),
                meters.counter("llmproxy.usage.buffer.rejected"), this::appended);
        UsageBufferMeters.register(meters, this, journal);
        this.sender.start();
    }

    /** Enqueues the event and returns at once; never blocks and does no I/O. */
    public void publish(UsageRecorded event) {
        publish(event, null);
    }

    /**
     * Enqueues the event with its call's trace context and returns at once; never blocks and does no I/O.
     *
     * @param traceparent the call's W3C {@code traceparent}, sent as the Kafka record's header; null for none
     */
    public void publish(UsageRecorded event, String traceparent) {
        writer.add(new UsageJournalWriter.Pending(event, traceparent, null));
    }

    /**
     * Enqueues the event of a call whose answer waits until the event is durable, and returns at once;
     * never blocks and does no I/O. The writer does not linger for a batch holding such an event.
     *
     * @param traceparent the call's W3C {@code traceparent}, sent as the Kafka record's header; null for none
     * @return completed by the {@code usage-journal} thread (so continuations run there unless they move):
     *         {@link Receipt#WRITTEN} once the event is written to the journal, or {@link Receipt#SYNCED} once it is
     *         also synced when {@code usage-buffer-answers-wait-for=sync}; {@link Receipt#REJECTED} when it
     *         was not buffered (counted and logged at ERROR with its JSON, as for {@link #publish}: the answer
     *         should still go out); never exceptionally. Already completed with {@link Receipt#NOT_AWAITED} when
     *         {@code llmproxy.edge.usage-buffer-durable-answers} is false (the event is then published as by
     *         {@link #publish}).
     */
    public CompletableFuture<Receipt> publishAwaited(UsageRecorded event, String traceparent) {
        if (!durableAnswers) {
            publish(event, traceparent);
            return NOT_AWAITED;
        }
        CompletableFuture<Receipt> receipt = new CompletableFuture<>();
        writer.add(new UsageJournalWriter.Pending(event, traceparent, receipt));
        return receipt;
    }

    /** @return true while events written to the journal wait for their sync (answers that wait for the write only) */
    boolean journalUnsynced() {
        return journal.hasUnsynced();
    }

    /** @return events written to the journal and not yet acknowledged by Kafka (not those still in memory) */
    long journaledEvents() {
        return journal.pendingRecords();
    }

    /** @return up to {@code max} events in the journal not yet acknowledged by Kafka, oldest first */
    List<UsageRecorded> journaled(int max) throws IOException {
        List<UsageRecorded> events = new ArrayList<>();
        for (UsageJournal.Entry entry : journal.peek(max)) {
            events.add(json.readValue(TracedPayload.decode(entry.payload()).json(), UsageRecorded.class));
        }
        return events;
    }

    long bufferedEvents() {
        return writer.queued() + journal.pendingRecords();
    }

    /** @return age in ms of the oldest event on disk not yet acknowledged by Kafka (0 when none) */
    double oldestAgeMillis() {
        long oldest = journal.oldestAppendedAtMillis();
        return oldest < 0 ? 0 : Math.max(0, clock.millis() - oldest);
    }

    private void sendLoop() {
        long backoff = 0;
        while (true) {
            if (System.nanoTime() > senderDeadlineNanos) {
                break;
            }
            List<UsageJournal.Entry> batch;
            try {
                batch = journal.peek(SEND_BATCH);
            } catch (IOException | RuntimeException e) {
                log.error("Usage buffer {} cannot be read: {}", journal.dir().toAbsolutePath(), e.toString());
                backoff = pause(backoff);
                continue;
            }
            if (batch.isEmpty()) {
                if (writer.done()) {
                    break;
                }
                // idle until the writer's next append (appended()) or shutdown (destroy(), and the writer's last
                // appended() once done) unparks it: no timed wake-up while the journal is empty (issue #16);
                // once shutting down, at most until the grace ends (a writer stuck on its disk never says done)
                long deadline = senderDeadlineNanos;
                if (deadline == Long.MAX_VALUE) {
                    LockSupport.park(this);
                } else {
                    LockSupport.parkNanos(this, deadline - System.nanoTime());
                }
                continue;
            }
            if (batch.size() < SEND_BATCH && lingerNanos > 0 && !writer.done()) {
                // one produce request and one checkpoint write for the next sender linger's appends (the journal's head does not move meanwhile, so on a read error the first batch stands);
                // a loop: parkNanos may return early, and only shutdown cuts the linger short (appends do not wake this thread meanwhile)
                long lingerEnd = System.nanoTime() + lingerNanos;
                long left;
                senderLingering = true;
                while (!writer.done() && (left = lingerEnd - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(this, left);
                }
                senderLingering = false;
                try {
                    batch = journal.peek(SEND_BATCH);
                } catch (IOException | RuntimeException readAgainNextRound) { }
            }
            int acknowledged = sendBatch(batch);
            if (acknowledged > 0) {
                long bytes = 0;
                for (int i = 0; i < acknowledged; i++) {
                    bytes += batch.get(i).bytes();
                }
                try {
                    journal.ack(batch.get(acknowledged - 1), acknowledged, bytes);
                } catch (IOException | RuntimeException e) {
                    log.error("Usage buffer checkpoint not written (these events may be sent again): {}", e.toString());
                }
            }
            if (acknowledged < batch.size()) {
                backoff = pause(backoff);
            } else {
                backoff = 0;
            }
        }
    }

    /**
     * Run by the writer after each append: wakes the sender unless it is waiting out its linger, when the wake-up
     * would only put it back to sleep (at 1,000 calls/s, a thousand futex wake-ups and context switches a second).
     */
    private void appended() {
        if (!senderLingering) {
            LockSupport.unpark(sender);
        }
    }

    private long pause(long backoff) {
        long next = backoff == 0 ? 100 : Math.min(MAX_BACKOFF_MS, backoff * 2);
        LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(next));
        return next;
    }

    /**
     * Sends the batch in order and waits for the acknowledgements.
     *
     * @return how many events from the first were acknowledged (or dropped as unpublishable) in a row
     */
    private int sendBatch(List<UsageJournal.Entry> batch) {
        long sentAt = System.nanoTime();
        List<Future<RecordMetadata>> futures = new ArrayList<>(batch.size());
        for (UsageJournal.Entry entry : batch) {
            try {
                ProducerRecord<String, String> record = TracedPayload.decode(entry.payload()).record(json);
                Future<RecordMetadata> f = producer.send(record);
                futures.add(f);
                if (f.isDone() && KafkaAcks.failed(f)) {
                    break; // e.g. no metadata within max.block.ms: Kafka is down, do not wait once per event
                }
            } catch (RuntimeException e) {
                failures.increment();
                log.warn("Usage events not sent ({}), {} buffered; retrying", e.toString(), journal.pendingRecords());
                break;
            }
        }
        int acknowledged = 0;
        boolean gap = false;
        for (int i = 0; i < futures.size(); i++) {
            Throwable error = KafkaAcks.await(futures.get(i), () -> senderDeadlineNanos);
            if (error == null) {
                if (!gap) {
                    acknowledged++;
                    published.increment();
                }
                continue;
            }
            if (error instanceof KafkaAcks.ShutdownException) {
                gap = true;
                break;
            }
            if (!gap && (error instanceof RecordTooLargeException || error instanceof InvalidTopicException)) {
                // can never succeed: do not block every later event behind it
                writer.reject(batch.get(i).payload(), "Kafka refuses it: " + error);
                acknowledged++;
                continue;
            }
            if (!gap) {
                failures.increment();
                log.warn("Usage event not acknowledged by Kafka ({}); {} events buffered, retrying",
                        error.toString(), journal.pendingRecords());
            }
            gap = true;
        }
        if (acknowledged > 0) {
            publishDuration.record(System.nanoTime() - sentAt, TimeUnit.NANOSECONDS);
        }
        return acknowledged;
    }

    /**
     * Writes the in-memory queue to disk, lets the sender drain for the grace period (5 s) and
     * leaves whatever Kafka has not acknowledged in the buffer for the next start.
     */
    @Override
    public void destroy() throws InterruptedException {
        writer.stop(); // also journals or rejects what was published after its last look: never silently lost
        senderDeadlineNanos = System.nanoTime() + shutdownGrace.toNanos();
        LockSupport.unpark(sender);
        sender.join(shutdownGrace.toMillis() + TimeUnit.SECONDS.toMillis(2));
        producer.close(Duration.ofSeconds(1));
        long left = journal.pendingRecords();
        if (left > 0) {
            log.warn("{} usage events not yet in Kafka stay in {}; they are sent when an edge starts on this directory",
                    left, journal.dir().toAbsolutePath());
        }
        journal.close();
    }
}
