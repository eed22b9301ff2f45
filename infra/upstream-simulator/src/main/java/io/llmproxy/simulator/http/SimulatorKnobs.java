package io.llmproxy.simulator.http;

import io.llmproxy.simulator.SimulatorProperties;
import io.llmproxy.simulator.core.LatencyProfile;
import io.llmproxy.simulator.core.StreamFault;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;

/**
 * Provider-neutral test knobs, read from request headers and model names; every provider format
 * honours them the same way.
 *
 * <ul>
 *   <li>{@value #TTFT_HEADER}: time to first token in ms (integer 0..{@value #MAX_LATENCY_MS}),
 *       overriding {@code simulator.ttft-ms};</li>
 *   <li>{@value #INTER_TOKEN_HEADER}: delay between tokens in ms (integer 0..{@value #MAX_LATENCY_MS}),
 *       overriding {@code simulator.inter-token-ms};</li>
 *   <li>{@value #STATUS_HEADER}: an HTTP status 400..599; the request is answered with that status and
 *       the provider's error body instead of a completion;</li>
 *   <li>model name {@code sim-error-<status>} (e.g. {@code sim-error-500}): same as
 *       {@value #STATUS_HEADER}, for clients that cannot set headers;</li>
 *   <li>model name containing {@code sim-fail-<n>-<status>} (e.g. {@code gpt-sim-fail-2-503}): that status
 *       for the first n requests with that name, then normal answers; {@code sim-ttft-<ms>}: that time
 *       to first token;</li>
 *   <li>model name {@code sim-slow-<ms>} (e.g. {@code sim-slow-200}): that inter-token delay in ms
 *       (0..{@value #MAX_LATENCY_MS}), for callers that cannot set headers (e.g. through the gateway);</li>
 *   <li>{@value #FAULT_HEADER} {@code midstream-error} | {@code cut}, or a model name containing
 *       {@code sim-fault-midstream-error} / {@code sim-fault-cut} (or {@code sim-midstream-error} /
 *       {@code sim-cut}): a streamed answer fails after half its
 *       content events with the provider's error event, or just ends ({@link StreamFault});</li>
 *   <li>a model name containing {@code sim-tools}: answer with a tool call when tools are declared
 *       ({@link io.llmproxy.simulator.core.ToolCallPlanner});</li>
 *   <li>a model name containing {@code sim-cache-<n>}: formats with prompt caching (Anthropic) report
 *       {@code n} of the prompt tokens as read from the cache.</li>
 * </ul>
 * A malformed header value raises {@link InvalidKnobException}, which providers answer with 400.
 */
@Component
public class SimulatorKnobs {

    /** Request header overriding the time to first token, ms. */
    public static final String TTFT_HEADER = "x-sim-ttft-ms";
    /** Request header overriding the inter-token delay, ms. */
    public static final String INTER_TOKEN_HEADER = "x-sim-inter-token-ms";
    /** Request header forcing an error status. */
    public static final String STATUS_HEADER = "x-sim-status";
    /** Upper bound accepted for the latency headers: ten minutes, in ms. */
    public static final long MAX_LATENCY_MS = 600_000;

    /** Request header injecting a stream fault: {@code midstream-error} or {@code cut}. */
    public static final String FAULT_HEADER = "x-sim-fault";

    private static final Pattern CACHE_MODEL = Pattern.compile(".*sim-cache-(\\d{1,9}).*");
    private static final Pattern ERROR_MODEL = Pattern.compile("sim-error-(\\d{3})");
    private static final Pattern SLOW_MODEL = Pattern.compile("sim-slow-(\\d{1,6})");
    private static final Pattern TTFT_MODEL = Pattern.compile("sim-ttft-(\\d{1,6})");
    private static final Pattern FAIL_MODEL = Pattern.compile("sim-fail-(\\d{1,4})-(\\d{3})");
    /** Requests seen per {@code sim-fail-…} model name. */
    private static final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicInteger> FAILURES =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final SimulatorProperties properties;

    public SimulatorKnobs(SimulatorProperties properties) {
        this.properties = properties;
    }

    /** The latency for a request: header values where present, else the configured defaults. */
    public LatencyProfile latency(HttpHeaders headers) {
        long ttft = longHeader(headers, TTFT_HEADER, properties.ttftMs());
        long interToken = longHeader(headers, INTER_TOKEN_HEADER, properties.interTokenMs());
        return new LatencyProfile(ttft, interToken);
    }

    /** The status forced by {@value #STATUS_HEADER}, or empty when the header is absent. */
    public OptionalInt forcedStatus(HttpHeaders headers) {
        String value = headers.getFirst(STATUS_HEADER);
        if (value == null) {
            return OptionalInt.empty();
        }
        try {
            int status = Integer.parseInt(value.trim());
            if (isErrorStatus(status)) {
                return OptionalInt.of(status);
            }
        } catch (NumberFormatException ignored) {
            // fall through
        }
        throw new InvalidKnobException(STATUS_HEADER,
                "Invalid " + STATUS_HEADER + " header '" + value + "': expected an HTTP status 400..599.");
    }

    /**
     * The latency for {@code model}: a {@code sim-slow-<ms>} name sets the inter-token delay, a name
     * containing {@code sim-ttft-<ms>} the time to first token (a slow first byte: a route's
     * {@code ttfbMs} can fail it over), else {@code base}.
     */
    public static LatencyProfile latency(String model, LatencyProfile base) {
        Matcher matcher = SLOW_MODEL.matcher(model);
        if (matcher.matches()) {
            long ms = Math.min(Long.parseLong(matcher.group(1)), MAX_LATENCY_MS);
            return new LatencyProfile(base.ttftMs(), ms);
        }
        Matcher ttft = TTFT_MODEL.matcher(model);
        if (ttft.find()) {
            return new LatencyProfile(Math.min(Long.parseLong(ttft.group(1)), MAX_LATENCY_MS), base.interTokenMs());
        }
        return base;
    }

    /**
     * The status forced by a {@code sim-error-<status>} model name; or, for a name containing
     * {@code sim-fail-<n>-<status>}, that status for the first {@code n} requests with that exact name
     * (counted in this simulator, per name) and nothing after (fail N times, then succeed: a route's
     * retry or failover test); empty for any other model.
     */
    public static OptionalInt forcedStatus(String model) {
        Matcher fail = FAIL_MODEL.matcher(model);
        if (fail.find()) {
            int times = Integer.parseInt(fail.group(1));
            int status = Integer.parseInt(fail.group(2));
            int seen = FAILURES.computeIfAbsent(model, m -> new java.util.concurrent.atomic.AtomicInteger()).getAndIncrement();
            return seen < times && isErrorStatus(status) ? OptionalInt.of(status) : OptionalInt.empty();
        }
        Matcher matcher = ERROR_MODEL.matcher(model);
        if (matcher.matches()) {
            int status = Integer.parseInt(matcher.group(1));
            if (isErrorStatus(status)) {
                return OptionalInt.of(status);
            }
        }
        return OptionalInt.empty();
    }

    private static boolean isErrorStatus(int status) {
        return status >= 400 && status <= 599;
    }

    private static long longHeader(HttpHeaders headers, String name, long defaultValue) {
        String value = headers.getFirst(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            long parsed = Long.parseLong(value.trim());
            if (parsed >= 0 && parsed <= MAX_LATENCY_MS) {
                return parsed;
            }
        } catch (NumberFormatException ignored) {
            // fall through
        }
        throw new InvalidKnobException(name,
                "Invalid " + name + " header '" + value + "': expected milliseconds 0.." + MAX_LATENCY_MS + ".");
    }

    /**
     * The stream fault asked for by {@value #FAULT_HEADER} or, when the header is absent, by the model name.
     *
     * @return the fault, or null for none
     * @throws InvalidKnobException for an unknown header value
     */
    public static StreamFault fault(HttpHeaders headers, String model) {
        String value = headers.getFirst(FAULT_HEADER);
        if (value != null) {
            return switch (value.trim()) {
                case "midstream-error" -> StreamFault.MIDSTREAM_ERROR;
                case "cut" -> StreamFault.CUT;
                default -> throw new InvalidKnobException(FAULT_HEADER,
                        "Invalid " + FAULT_HEADER + " header '" + value + "': expected midstream-error or cut.");
            };
        }
        // both spellings, so every format of the simulator reads the same model names (core/SimScenario)
        if (model.contains("sim-fault-midstream-error") || model.contains("sim-midstream-error")) {
            return StreamFault.MIDSTREAM_ERROR;
        }
        return model.contains("sim-fault-cut") || model.contains("sim-cut") ? StreamFault.CUT : null;
    }

    /** Prompt tokens to report as read from the cache ({@code sim-cache-<n>} in the model name), else 0. */
    public static int cachedPromptTokens(String model) {
        Matcher matcher = CACHE_MODEL.matcher(model);
        return matcher.matches() ? Integer.parseInt(matcher.group(1)) : 0;
    }
}
