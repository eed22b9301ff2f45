import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Streaming load client of bench/run.sh: sends {@code total} streamed chat completions, at most
 * {@code concurrency} at a time, and records for each one (System.nanoTime, client side):
 * <ul>
 *   <li>ttfb: request sent -> first body bytes;</li>
 *   <li>ttft: request sent -> first SSE data event whose delta has non-empty "content";</li>
 *   <li>total: request sent -> end of the body;</li>
 *   <li>gap: the largest time between two consecutive SSE data events from the first content event
 *       on (the stream's worst stall; the role-only event before it is not counted);</li>
 *   <li>chunks: SSE data events other than {@code [DONE]};</li>
 *   <li>errors: transport failure, status != 200, or no {@code data: [DONE]} line.</li>
 * </ul>
 * Prints a human summary and one machine-readable line starting with {@code RESULT }.
 * Percentiles are nearest-rank over the successful streams.
 *
 * <p>Run: {@code java bench/StreamBench.java url=... key=... model=... concurrency=200 total=2000}
 * (other arguments: label=, prompt=, timeout_s=, header=Name:Value (repeatable), max_tokens=N to cut
 * the answers short, ramp_ms=M to spread the measured streams' starts evenly over M ms instead of
 * starting them all at once, warmup=N unmeasured streams first in the same JVM (warmup_concurrency,
 * default min(concurrency, 100); warmup_max_tokens=N to make them short), cpu.NAME=PID to report
 * the CPU time process PID used during the measured run per stream as cpu_NAME_us and per chunk
 * received (all measured streams' data events) as cpu_NAME_us_chunk, clk_tck=100).
 * Plain JDK, no dependencies: java.net.http.HttpClient, HTTP/1.1, one connection per stream.
 */
public final class StreamBench {

    /** One request's timings, in nanoseconds from its start; -1 = not reached. */
    static final class Sample {
        long start;
        long ttfb = -1;
        long ttft = -1;
        long total = -1;
        long lastData = -1;
        long maxGap = -1;
        int chunks;
        int status;
        boolean done;
        String error;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        List<String[]> headers = new ArrayList<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("argument without '=': " + arg);
            }
            String k = arg.substring(0, eq);
            String v = arg.substring(eq + 1);
            if (k.equals("header")) {
                int colon = v.indexOf(':');
                headers.add(new String[] {v.substring(0, colon).trim(), v.substring(colon + 1).trim()});
            } else {
                a.put(k, v);
            }
        }
        String url = req(a, "url");
        String key = req(a, "key");
        String model = req(a, "model");
        String label = a.getOrDefault("label", model);
        int concurrency = Integer.parseInt(a.getOrDefault("concurrency", "100"));
        int total = Integer.parseInt(a.getOrDefault("total", "1000"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "0"));
        long timeoutS = Long.parseLong(a.getOrDefault("timeout_s", "120"));
        long rampMs = Long.parseLong(a.getOrDefault("ramp_ms", "0"));
        String maxTokens = a.get("max_tokens");
        String prompt = a.getOrDefault("prompt", "bench");
        String body = body(model, prompt, maxTokens);

        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .executor(Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors())))
                .build();
        HttpRequest request = request(url, key, timeoutS, headers, body);

        if (warmup > 0) {
            String warmupMaxTokens = a.get("warmup_max_tokens");
            HttpRequest warm = warmupMaxTokens == null ? request
                    : request(url, key, timeoutS, headers, body(model, prompt, warmupMaxTokens));
            int warmupConcurrency = Integer.parseInt(a.getOrDefault("warmup_concurrency", String.valueOf(Math.min(concurrency, 100))));
            run(client, warm, Math.min(warmupConcurrency, warmup), warmup, timeoutS, 0, null);
        }
        // cpu.NAME=PID: CPU time (utime + stime from /proc/PID/stat) that process spends during the measured run
        Map<String, Long> cpuBefore = new LinkedHashMap<>();
        a.forEach((k, v) -> {
            if (k.startsWith("cpu.") && !v.isEmpty()) {
                cpuBefore.put(k.substring(4) + "=" + v, cpuTicks(v));
            }
        });
        AtomicInteger open = new AtomicInteger();
        AtomicInteger maxOpen = new AtomicInteger();
        long t0 = System.nanoTime();
        Sample[] samples = run(client, request, concurrency, total, timeoutS, rampMs, new AtomicInteger[] {open, maxOpen});
        double wallS = (System.nanoTime() - t0) / 1e9;
        long hz = Long.parseLong(a.getOrDefault("clk_tck", "100"));
        long chunks = 0;
        for (Sample s : samples) {
            chunks += s == null ? 0 : s.chunks;
        }
        long allChunks = chunks;
        StringBuilder cpu = new StringBuilder();
        cpuBefore.forEach((nameAndPid, before) -> {
            String name = nameAndPid.substring(0, nameAndPid.indexOf('='));
            long after = cpuTicks(nameAndPid.substring(nameAndPid.indexOf('=') + 1));
            String perStream = before < 0 || after < 0 ? "-"
                    : String.format(Locale.ROOT, "%.0f", (after - before) * 1e6 / hz / total);
            String perChunk = before < 0 || after < 0 || allChunks == 0 ? "-"
                    : String.format(Locale.ROOT, "%.1f", (after - before) * 1e6 / hz / allChunks);
            cpu.append(" cpu_").append(name).append("_us=").append(perStream)
                    .append(" cpu_").append(name).append("_us_chunk=").append(perChunk);
        });
        report(label, samples, wallS, maxOpen.get(), concurrency, cpu.toString());
        System.exit(0);
    }

    /** utime + stime of a process in clock ticks, or -1. */
    static long cpuTicks(String pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", pid, "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (Exception e) {
            return -1;
        }
    }

    static String body(String model, String prompt, String maxTokens) {
        return "{\"model\":\"" + json(model) + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + json(prompt)
                + "\"}],\"stream\":true,\"stream_options\":{\"include_usage\":true}"
                + (maxTokens == null ? "" : ",\"max_tokens\":" + Integer.parseInt(maxTokens)) + "}";
    }

    static HttpRequest request(String url, String key, long timeoutS, List<String[]> headers, String body) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(timeoutS))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (String[] h : headers) {
            rb.header(h[0], h[1]);
        }
        return rb.build();
    }

    /** Sends {@code total} requests, at most {@code concurrency} at once, request i not before i/total of the ramp. */
    static Sample[] run(HttpClient client, HttpRequest request, int concurrency, int total, long timeoutS, long rampMs,
                        AtomicInteger[] openCounters) throws InterruptedException {
        Sample[] samples = new Sample[total];
        Semaphore permits = new Semaphore(concurrency);
        CountDownLatch finished = new CountDownLatch(total);
        long rampStart = System.nanoTime();
        for (int i = 0; i < total; i++) {
            if (rampMs > 0) {
                long due = rampStart + rampMs * 1_000_000L * i / total;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            permits.acquire();
            Sample s = new Sample();
            samples[i] = s;
            s.start = System.nanoTime();
            CompletableFuture<HttpResponse<Void>> f = client.sendAsync(request, info -> {
                s.status = info.statusCode();
                if (openCounters != null) {
                    int now = openCounters[0].incrementAndGet();
                    openCounters[1].accumulateAndGet(now, Math::max);
                }
                return HttpResponse.BodySubscribers.fromSubscriber(new SseWatcher(s));
            });
            f.whenComplete((r, e) -> {
                if (e != null) {
                    s.error = e.getClass().getSimpleName() + ": " + e.getMessage();
                }
                if (s.total < 0) {
                    s.total = System.nanoTime() - s.start;
                }
                if (openCounters != null && s.status != 0) {
                    openCounters[0].decrementAndGet();
                }
                permits.release();
                finished.countDown();
            });
        }
        if (!finished.await(timeoutS + 30, TimeUnit.SECONDS)) {
            System.err.println("StreamBench: not all requests finished in time; counting them as errors");
        }
        return samples;
    }

    /** Watches the SSE bytes for the first content event and the [DONE] line. */
    static final class SseWatcher implements Flow.Subscriber<List<ByteBuffer>> {
        private final Sample s;
        private final StringBuilder line = new StringBuilder(512);

        SseWatcher(Sample s) {
            this.s = s;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            long now = System.nanoTime() - s.start;
            for (ByteBuffer b : items) {
                if (b.hasRemaining() && s.ttfb < 0) {
                    s.ttfb = now;
                }
                while (b.hasRemaining()) {
                    char c = (char) (b.get() & 0xff);
                    if (c == '\n') {
                        onLine(now);
                        line.setLength(0);
                    } else if (c != '\r') {
                        line.append(c);
                    }
                }
            }
        }

        private void onLine(long now) {
            if (line.length() < 6 || !(line.charAt(0) == 'd' && line.indexOf("data:") == 0)) {
                return;
            }
            String l = line.toString();
            if (l.contains("[DONE]")) {
                s.done = true;
                return;
            }
            s.chunks++;
            if (s.ttft >= 0) {
                s.maxGap = Math.max(s.maxGap, now - s.lastData);
                s.lastData = now;
            } else {
                int i = l.indexOf("\"content\":\"");
                if (i >= 0 && i + 11 < l.length() && l.charAt(i + 11) != '"') {
                    s.ttft = now;
                    s.lastData = now;
                }
            }
        }

        @Override
        public void onError(Throwable throwable) {
            s.error = throwable.getClass().getSimpleName() + ": " + throwable.getMessage();
            s.total = System.nanoTime() - s.start;
        }

        @Override
        public void onComplete() {
            s.total = System.nanoTime() - s.start;
        }
    }

    static void report(String label, Sample[] samples, double wallS, int maxOpen, int concurrency, String cpu) {
        List<Long> ttfb = new ArrayList<>();
        List<Long> ttft = new ArrayList<>();
        List<Long> total = new ArrayList<>();
        List<Long> gap = new ArrayList<>();
        long chunks = 0;
        int chunksMin = Integer.MAX_VALUE;
        int chunksMax = 0;
        int errors = 0;
        Map<String, Integer> kinds = new LinkedHashMap<>();
        for (Sample s : samples) {
            chunks += s == null ? 0 : s.chunks;
            String err = s == null ? "not started"
                    : s.error != null ? s.error
                    : s.status != 200 ? "HTTP " + s.status
                    : !s.done ? "no [DONE]"
                    : s.ttft < 0 ? "no content event" : null;
            if (err != null) {
                errors++;
                String kind = err.length() > 120 ? err.substring(0, 120) : err;
                kinds.merge(kind, 1, Integer::sum);
                continue;
            }
            ttfb.add(s.ttfb);
            ttft.add(s.ttft);
            total.add(s.total);
            gap.add(Math.max(0, s.maxGap));
            chunksMin = Math.min(chunksMin, s.chunks);
            chunksMax = Math.max(chunksMax, s.chunks);
        }
        long[] b = sorted(ttfb);
        long[] f = sorted(ttft);
        long[] t = sorted(total);
        long[] g = sorted(gap);
        System.out.printf(Locale.ROOT, "%s: %d streams (%d ok, %d errors), concurrency %d (max open %d), %.2f s wall, %.1f streams/s%n",
                label, samples.length, samples.length - errors, errors, concurrency, maxOpen, wallS, samples.length / wallS);
        System.out.printf(Locale.ROOT, "  ttfb  ms: p50 %s  p90 %s  p99 %s  max %s%n", ms(b, 50), ms(b, 90), ms(b, 99), ms(b, 100));
        System.out.printf(Locale.ROOT, "  ttft  ms: p50 %s  p90 %s  p99 %s  max %s%n", ms(f, 50), ms(f, 90), ms(f, 99), ms(f, 100));
        System.out.printf(Locale.ROOT, "  total ms: p50 %s  p90 %s  p99 %s  max %s%n", ms(t, 50), ms(t, 90), ms(t, 99), ms(t, 100));
        System.out.printf(Locale.ROOT, "  largest gap ms: p50 %s  p90 %s  p99 %s  max %s; %d chunks%n",
                ms(g, 50), ms(g, 90), ms(g, 99), ms(g, 100), chunks);
        kinds.forEach((k, n) -> System.out.printf(Locale.ROOT, "  error x%d: %s%n", n, k));
        System.out.printf(Locale.ROOT,
                "RESULT label=%s n=%d ok=%d errors=%d concurrency=%d max_open=%d wall_s=%.3f rate=%.1f"
                        + " ttfb_p50=%s ttfb_p90=%s ttfb_p99=%s ttfb_max=%s"
                        + " ttft_p50=%s ttft_p90=%s ttft_p99=%s ttft_max=%s"
                        + " total_p50=%s total_p90=%s total_p99=%s total_max=%s"
                        + " gap_p50=%s gap_p90=%s gap_p99=%s gap_max=%s chunks=%d chunks_min=%s chunks_max=%s%s%n",
                label, samples.length, samples.length - errors, errors, concurrency, maxOpen, wallS, samples.length / wallS,
                ms(b, 50), ms(b, 90), ms(b, 99), ms(b, 100),
                ms(f, 50), ms(f, 90), ms(f, 99), ms(f, 100),
                ms(t, 50), ms(t, 90), ms(t, 99), ms(t, 100),
                ms(g, 50), ms(g, 90), ms(g, 99), ms(g, 100), chunks,
                gap.isEmpty() ? "-" : String.valueOf(chunksMin), gap.isEmpty() ? "-" : String.valueOf(chunksMax), cpu);
    }

    static long[] sorted(List<Long> values) {
        long[] v = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(v);
        return v;
    }

    /** Nearest-rank percentile in ms with 3 decimals; "-" when there is no sample. */
    static String ms(long[] sorted, int pct) {
        if (sorted.length == 0) {
            return "-";
        }
        int rank = (int) Math.ceil(pct / 100.0 * sorted.length);
        long v = sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
        return String.format(Locale.ROOT, "%.3f", v / 1e6);
    }

    static String req(Map<String, String> a, String k) {
        String v = a.get(k);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("missing argument " + k + "=...");
        }
        return v;
    }

    static String json(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private StreamBench() {
    }
}
