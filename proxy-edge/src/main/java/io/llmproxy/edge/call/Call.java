package io.llmproxy.edge.call;

import io.llmproxy.edge.provider.UsageMeter;
import io.llmproxy.edge.provider.TokenUsage;
import io.llmproxy.edge.snapshot.EdgeSnapshot.ApiKeyEntry;
import io.llmproxy.edge.usage.UsagePublisher;
import io.llmproxy.kernel.usage.UsageRecorded;
import io.llmproxy.kernel.usage.UsageRecorded.Outcome;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Mono;

/**
 * One client call through the edge, from request to last byte. {@link #finish} publishes its
 * usage event exactly once, whichever way the call ends (success, refusal, upstream error,
 * cancellation); the end of the answer waits for {@link #synced()} (ADR 0006, durable answers).
 */
public final class Call {

    private final long startNanos = System.nanoTime();
    private volatile long firstChunkNanos = -1;
    private final String endpoint;
    private final UsagePublisher publisher;
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile CompletableFuture<UsagePublisher.Receipt> receipt;
    private volatile ApiKeyEntry key;
    private volatile String model;
    private volatile String providerId;
    private volatile String providerModel;
    private volatile boolean stream;
    private volatile UsageMeter translator;
    private volatile String refusalReason;
    private volatile long promptEstimate;
    private volatile boolean accepted;
    private volatile java.util.function.LongConsumer onFinish;
    private volatile String promptText;
    private volatile java.util.function.Supplier<String> completionText;
    private final java.util.List<io.llmproxy.kernel.usage.UsageAttempt> attempts =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.List<Runnable> finishHooks = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** the attempt sent to a provider that has not answered yet, as it is recorded if the client leaves now */
    private volatile java.util.function.Supplier<io.llmproxy.kernel.usage.UsageAttempt> inFlight;
    /** the client left while an attempt was in flight: the provider has the request and may bill it */
    private volatile boolean abandonedInFlight;

    private volatile io.opentelemetry.api.trace.Span span = io.opentelemetry.api.trace.Span.getInvalid();

    /** Attaches the call's span (telemetry's {@code CallTracing}); its context travels with the usage event. */
    public void trace(io.opentelemetry.api.trace.Span span) {
        this.span = span;
    }

    /** @return the call's span; an invalid, non-recording one when the call is not traced */
    public io.opentelemetry.api.trace.Span span() {
        return span;
    }

    /** @return the client API called, e.g. {@code chat.completions} */
    public String endpoint() {
        return endpoint;
    }

    public Call(String endpoint, UsagePublisher publisher) {
        this.endpoint = endpoint;
        this.publisher = publisher;
        this.eventLoop = io.netty.util.internal.ThreadExecutorMap.currentExecutor();
    }

    /** The Netty event loop the call was created on (its client connection's), or null off any loop. */
    private final io.netty.util.concurrent.EventExecutor eventLoop;

    /**
     * @return the event loop of the client connection (the thread that created the call), or null when the
     *         call was not created on a Netty event loop (a unit test); {@link UpstreamClient} keeps the
     *         provider connection on it, so that relaying needs no hand-off between threads (issue #16)
     */
    public io.netty.util.concurrent.EventExecutor eventLoop() {
        return eventLoop;
    }

    private volatile java.util.function.Consumer<UsageRecorded> observer;

    /** Also hands the finished call's usage event to {@code observer} (metrics), after publishing it. */
    public void observe(java.util.function.Consumer<UsageRecorded> observer) {
        this.observer = observer;
    }

    public void key(ApiKeyEntry key) {
        this.key = key;
    }

    private volatile String principal;

    /** Records who calls, for the usage event: {@code api-key:<id>} or {@code user:<sub>} (issue #10). */
    public void principal(String principal) {
        this.principal = principal;
    }

    public void request(String model, boolean stream) {
        this.model = model;
        this.stream = stream;
    }

    /** @param translator the call's chat or embeddings translator, whose usage the call reports */
    public void upstream(String providerId, String providerModel, UsageMeter translator) {
        this.providerId = providerId;
        this.providerModel = providerModel;
        this.translator = translator;
    }

    /** The edge's own prompt-token estimate, billed when the provider never reports usage. */
    public void promptEstimate(long tokens) {
        this.promptEstimate = tokens;
    }

    /**
     * Records that the provider answered with a 2xx status: from here on the provider bills the call,
     * so a call that ends without the provider's usage (a broken or abandoned stream) is billed with
     * the edge's prompt estimate. So is a call the client left while its request was with the provider
     * ({@link #attemptInFlight}): the provider has the prompt and may bill it. A call the provider
     * refused or never got (refused by the edge, an error status, a timeout, unreachable) bills only
     * what the provider reported, which is nothing.
     */
    public void accepted() {
        this.accepted = true;
    }

    /**
     * The prompt text for the usage event; only for a tenant that opted in to content capture.
     * Raw: {@link #finish} masks and caps it.
     */
    public void promptText(String text) {
        this.promptText = text;
    }

    /**
     * Where the completion text for the usage event comes from (read once, when the call
     * finishes); only for a tenant that opted in to content capture. Raw: {@link #finish} masks
     * and caps it.
     */
    public void completionText(java.util.function.Supplier<String> text) {
        this.completionText = text;
    }

    /** Records one upstream attempt (issue #11), in the order they were made, for the usage event. */
    public void attempt(io.llmproxy.kernel.usage.UsageAttempt attempt) {
        inFlight = null;
        attempts.add(attempt);
    }

    /**
     * Marks an attempt as sent to its provider, not answered yet. If the client leaves before
     * {@link #attempt} records how it ended, {@link #finish} records {@code cancelled} (its error
     * {@code cancelled}, its status 0, its latency until then) and bills the prompt estimate.
     */
    public void attemptInFlight(java.util.function.Supplier<io.llmproxy.kernel.usage.UsageAttempt> cancelled) {
        inFlight = cancelled;
    }

    /** @return the attempts recorded so far (a copy) */
    public java.util.List<io.llmproxy.kernel.usage.UsageAttempt> attempts() {
        return java.util.List.copyOf(attempts);
    }

    /** Marks the first stream chunk sent to the client (later calls do nothing); for time-to-first-token. */
    public void firstChunk() {
        if (firstChunkNanos < 0) {
            firstChunkNanos = System.nanoTime() - startNanos;
        }
    }

    /** @return nanoseconds from the request to the first stream chunk sent to the client, or -1 when none was */
    public long firstChunkNanos() {
        return firstChunkNanos;
    }

    /** @return true when the client asked for a stream */
    public boolean isStream() {
        return stream;
    }

    /** @return true once the provider answered 2xx: from here a failure is never retried elsewhere */
    public boolean isAccepted() {
        return accepted;
    }

    /** @return the provider the call was last sent to, or null ({@code x-llmproxy-provider}) */
    public String providerId() {
        return providerId;
    }

    /** @return the provider model the call was last sent to, or null ({@code x-llmproxy-model}) */
    public String providerModel() {
        return providerModel;
    }

    /** Runs {@code hook} once when the call finishes (e.g. a target's in-flight count), at once if it has. */
    public void whenFinished(Runnable hook) {
        finishHooks.add(hook);
        if (finished.get() && finishHooks.remove(hook)) {
            hook.run();
        }
    }

    /** Records why the edge refused the call, for the usage event. */
    public void refused(String reason) {
        this.refusalReason = reason;
    }

    /**
     * Runs {@code action} with the call's total tokens when it finishes (at once if it already has);
     * used to settle a quota reservation on every way a call can end.
     */
    public void onFinish(java.util.function.LongConsumer action) {
        this.onFinish = action;
        if (finished.get()) {
            runOnFinish();
        }
    }

    private void runOnFinish() {
        java.util.function.LongConsumer action = onFinish;
        if (action != null) {
            onFinish = null;
            action.accept(billedUsage().totalTokens()); // what the usage event bills, estimate included
        }
    }

    /**
     * Publishes the usage event (first call only; later calls do nothing). Except for a client that went
     * away ({@link Outcome#CANCELLED}: nobody waits), {@link #synced()} then tells when it is durable.
     *
     * @param httpStatus status the client got (499 when it went away)
     * @param outcome    how the call ended
     * @return true when this call published, false when the call had already finished
     */
    public boolean finish(int httpStatus, Outcome outcome) {
        if (!finished.compareAndSet(false, true)) {
            return false;
        }
        java.util.function.Supplier<io.llmproxy.kernel.usage.UsageAttempt> open = inFlight;
        if (outcome == Outcome.CANCELLED && open != null) {
            inFlight = null;
            abandonedInFlight = true;
            attempts.add(open.get());
        }
        TokenUsage usage = billedUsage();
        boolean estimated = estimated();
        ApiKeyEntry k = key;
        java.util.function.Supplier<String> completionSource = completionText;
        String completion = completionSource == null ? null : completionSource.get();
        UsageRecorded event = new UsageRecorded(EventIds.next().toString(), UsageRecorded.SCHEMA_VERSION,
                k == null ? null : k.tenantId(), k == null ? null : k.apiKeyId(), endpoint, model, providerId,
                providerModel, stream, usage.promptTokens(), usage.completionTokens(), usage.totalTokens(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), httpStatus, outcome, Instant.now(),
                refusalReason, estimated, k == null ? null : k.ownerUserId(), usage.cachedPromptTokens(),
                UsageRecorded.capturedText(promptText), UsageRecorded.capturedText(completion), attempts(), principal);
        io.opentelemetry.api.trace.SpanContext context = span.getSpanContext();
        String traceparent = context.isValid() ? traceparent(context) : null;
        if (outcome == Outcome.CANCELLED) {
            publisher.publish(event, traceparent);
        } else {
            receipt = publisher.publishAwaited(event, traceparent);
        }
        java.util.function.Consumer<UsageRecorded> watching = observer;
        if (watching != null) {
            watching.accept(event);
        }
        runOnFinish();
        for (Runnable hook : finishHooks) {
            if (finishHooks.remove(hook)) {
                hook.run();
            }
        }
        return true;
    }

    /**
     * What the end of an answer waits for: its usage event in the edge's journal (written, or synced to disk with
     * {@code llmproxy.edge.usage-buffer-answers-wait-for=sync}), so that an edge killed once the client has the whole
     * answer cannot lose the event (ADR 0006).
     *
     * @return completes empty, never with an error, once the event {@link #finish} published is in the journal or was
     *         rejected (buffer full, disk error: logged at ERROR, and the answer still goes out); completes at
     *         once when the call has not finished, ended {@link Outcome#CANCELLED}, or durable answers are off
     *         ({@code llmproxy.edge.usage-buffer-durable-answers=false}). Its signal comes on the call's
     *         {@linkplain #eventLoop() event loop} (issue #16): the rest of the answer is built and written there,
     *         not on the one {@code usage-journal} thread, which would then hand each write back to the loop
     *         anyway; on the thread that completed the receipt only when the call has no loop or it refuses tasks.
     */
    public Mono<Void> synced() {
        CompletableFuture<UsagePublisher.Receipt> r = receipt;
        if (r == null || r.isDone()) {
            return Mono.empty();
        }
        // nothing on cancel: a client going away must not complete the receipt
        return Mono.create(sink -> r.whenComplete((receipt, error) -> {
            io.netty.util.concurrent.EventExecutor loop = eventLoop;
            if (loop == null || loop.inEventLoop()) {
                sink.success();
                return;
            }
            try {
                loop.execute(sink::success);
            } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                sink.success();
            }
        }));
    }

    /**
     * @return the usage the usage event reports (and billing prices, and the quota settles), in tokens: the
     *         provider's counts, or, when the provider {@linkplain #accepted() accepted} the call (or the
     *         client left while the provider had it) but never reported usage, the edge's prompt estimate
     *         and the completion tokens seen
     */
    public TokenUsage billedUsage() {
        UsageMeter t = translator;
        TokenUsage usage = t == null ? TokenUsage.NONE : t.usageSoFar();
        if (estimated()) {
            usage = new TokenUsage(promptEstimate, usage.completionTokens());
        }
        return usage;
    }

    /**
     * @return true when the provider accepted the call, or the client left while it had the request, and
     *         the provider never reported its usage
     */
    private boolean estimated() {
        UsageMeter t = translator;
        return t != null && (accepted || abandonedInFlight) && !t.usageReported() && promptEstimate > 0;
    }

    public ApiKeyEntry key() {
        return key;
    }

    /** @return the W3C {@code traceparent} value of {@code c}: {@code 00-<trace id>-<span id>-<flags>} */
    static String traceparent(io.opentelemetry.api.trace.SpanContext c) {
        java.util.Map<String, String> carrier = new java.util.HashMap<>(2);
        io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator.getInstance().inject(
                io.opentelemetry.context.Context.root().with(io.opentelemetry.api.trace.Span.wrap(c)), carrier,
                java.util.Map::put);
        return carrier.get("traceparent");
    }
}
