package io.llmproxy.edge.usage;

import io.llmproxy.kernel.usage.UsageRecorded;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Publishes usage events to Kafka ({@value UsageRecorded#TOPIC}, key = tenant id, JSON value)
 * off the response path: {@link #publish} only adds to a lock-free queue and unparks the
 * publisher thread (no lock, so nothing an event loop could wait on); that thread calls the producer,
 * whose {@code send} may block on metadata and must never run on a Netty event loop. The
 * producer is idempotent with {@code acks=all} (ADR 0003). A durable local buffer for Kafka
 * outages is the billing issue's work; today a failed send is logged with the event id and
 * counted in {@code llmproxy.usage.publish.failures}.
 */
@Component
public class UsagePublisher implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(UsagePublisher.class);

    private final KafkaTemplate<String, String> kafka;
    private final JsonMapper json;
    private final Counter published;
    private final Counter failures;
    private final ConcurrentLinkedQueue<UsageRecorded> queue = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    public UsagePublisher(KafkaTemplate<String, String> kafka, JsonMapper json, MeterRegistry meters) {
        this.kafka = kafka;
        this.json = json;
        this.published = meters.counter("llmproxy.usage.published");
        this.failures = meters.counter("llmproxy.usage.publish.failures");
        this.thread = new Thread(this::drain, "usage-publisher");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Enqueues the event and returns at once; never blocks. */
    public void publish(UsageRecorded event) {
        queue.add(event);
        LockSupport.unpark(thread);
    }

    private void drain() {
        while (running || !queue.isEmpty()) {
            UsageRecorded event = queue.poll();
            if (event == null) {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(50));
                continue;
            }
            send(event);
        }
    }

    private void send(UsageRecorded event) {
        try {
            kafka.send(UsageRecorded.TOPIC, event.tenantId(), json.writeValueAsString(event)).whenComplete((result, error) -> {
                if (error != null) {
                    failures.increment();
                    log.error("Usage event {} not published: {}", event.eventId(), error.getMessage());
                } else {
                    published.increment();
                }
            });
        } catch (RuntimeException e) {
            failures.increment();
            log.error("Usage event {} not published: {}", event.eventId(), e.getMessage());
        }
    }

    @Override
    public void destroy() throws InterruptedException {
        running = false;
        LockSupport.unpark(thread);
        thread.join(TimeUnit.SECONDS.toMillis(10));
        kafka.flush();
    }
}
