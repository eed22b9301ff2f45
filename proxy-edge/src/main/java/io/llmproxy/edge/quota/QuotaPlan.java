package io.llmproxy.edge.quota;

import io.llmproxy.edge.quota.QuotaCheck.Kind;
import io.llmproxy.kernel.quota.QuotaLimits;
import io.llmproxy.kernel.quota.QuotaScope;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Pure: turns the policies of a tenant, a user and a key into the counters one call must pass
 * (the tightest limit applies because every level's counters are checked together). Windows are
 * UTC calendar windows: the minute, the day, the month; the window id is part of the key, so a
 * new window starts from zero. No Spring, Reactor or Redis types.
 */
public final class QuotaPlan {

    /** Counters live this long past their window's end (seconds), so a late settlement still finds them. */
    static final long TTL_MARGIN_SECONDS = 120;
    /** A crashed edge cannot hold a concurrency slot for longer than this (seconds). */
    static final long CONCURRENCY_TTL_SECONDS = 900;

    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyyMMddHHmm").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyyMM").withZone(ZoneOffset.UTC);

    private QuotaPlan() {
    }

    /** One level's policy and whose it is. */
    public record Level(QuotaScope scope, String subjectId, QuotaLimits limits) {
    }

    /**
     * @param tenantId       the tenant (hash tag of every key)
     * @param levels         the policies that apply (absent levels are simply not passed)
     * @param now            the call's time
     * @param reservedTokens tokens to reserve for this call (prompt estimate + max completion tokens)
     * @return the counters to check, in a stable order
     */
    public static List<QuotaCheck> checks(String tenantId, List<Level> levels, Instant now, long reservedTokens) {
        return checks(tenantId, levels, now, reservedTokens, null);
    }

    /**
     * @param reservedCostMicros cost to reserve against {@code monthlySpendLimitUsd} (USD micros, from
     *                           {@code Pricing.costMicros} of the reserved tokens); null when the call's
     *                           provider model has no price, and then no spend counter is checked
     * @return the counters to check, in a stable order
     * @see #checks(String, List, Instant, long)
     */
    public static List<QuotaCheck> checks(String tenantId, List<Level> levels, Instant now, long reservedTokens,
                                          Long reservedCostMicros) {
        List<QuotaCheck> checks = new ArrayList<>();
        Instant minuteEnd = now.truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        Instant dayEnd = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant monthEnd = day.withDayOfMonth(1).plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        for (Level level : levels) {
            if (level.limits() == null) {
                continue;
            }
            String prefix = "llmq:{" + tenantId + "}:" + level.scope().name() + ":" + level.subjectId() + ":";
            QuotaLimits l = level.limits();
            add(checks, prefix, Kind.REQUESTS_PER_MINUTE, level.scope(), l.requestsPerMinute(), 1, now, minuteEnd, MINUTE);
            add(checks, prefix, Kind.REQUESTS_PER_DAY, level.scope(), l.requestsPerDay(), 1, now, dayEnd, DAY);
            add(checks, prefix, Kind.TOKENS_PER_MINUTE, level.scope(), l.tokensPerMinute(), reservedTokens, now, minuteEnd, MINUTE);
            add(checks, prefix, Kind.TOKENS_PER_DAY, level.scope(), l.tokensPerDay(), reservedTokens, now, dayEnd, DAY);
            add(checks, prefix, Kind.TOKENS_PER_MONTH, level.scope(), l.tokensPerMonth(), reservedTokens, now, monthEnd, MONTH);
            if (reservedCostMicros != null) {
                add(checks, prefix, Kind.SPEND_PER_MONTH, level.scope(), spendLimitMicros(l.monthlySpendLimitUsd()),
                        reservedCostMicros, now, monthEnd, MONTH);
            }
            if (l.maxConcurrentRequests() != null) {
                checks.add(new QuotaCheck(prefix + "lease", Kind.CONCURRENT_REQUESTS, level.scope(),
                        l.maxConcurrentRequests(), 1, CONCURRENCY_TTL_SECONDS, null));
            }
        }
        return List.copyOf(checks);
    }

    private static void add(List<QuotaCheck> checks, String prefix, Kind kind, QuotaScope scope, Long limit, long amount,
                            Instant now, Instant windowEnd, DateTimeFormatter window) {
        if (limit == null) {
            return;
        }
        long ttl = Math.max(1, Duration.between(now, windowEnd).toSeconds()) + TTL_MARGIN_SECONDS;
        checks.add(new QuotaCheck(prefix + kindCode(kind) + ":" + window.format(now), kind, scope, limit, amount, ttl,
                windowEnd));
    }

    /**
     * @return {@code monthlySpendLimitUsd} (a decimal string of USD, validated by the command side)
     *         in USD micros, rounded down; null when absent or unreadable
     */
    static Long spendLimitMicros(String usd) {
        if (usd == null) {
            return null;
        }
        try {
            return new java.math.BigDecimal(usd).movePointRight(6).setScale(0, java.math.RoundingMode.DOWN).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
    }

    private static String kindCode(Kind kind) {
        return switch (kind) {
            case REQUESTS_PER_MINUTE -> "rpm";
            case REQUESTS_PER_DAY -> "rpd";
            case TOKENS_PER_MINUTE -> "tpm";
            case TOKENS_PER_DAY -> "tpd";
            case TOKENS_PER_MONTH -> "tpmo";
            case CONCURRENT_REQUESTS -> "lease";
            case SPEND_PER_MONTH -> "usdmo";
        };
    }

    /** @return OpenAI's duration format for a reset header: {@code 1s}, {@code 6m0s}, {@code 5h3m2s} */
    public static String resetFormat(Duration d) {
        long s = Math.max(0, (d.toMillis() + 999) / 1000);
        long h = s / 3600;
        long m = (s % 3600) / 60;
        long sec = s % 60;
        if (h > 0) {
            return h + "h" + m + "m" + sec + "s";
        }
        return m > 0 ? m + "m" + sec + "s" : sec + "s";
    }

    /** @return seconds to wait before retrying after {@code check} refused, at least 1 */
    public static long retryAfterSeconds(QuotaCheck check, Instant now) {
        if (check.windowEnd() == null) {
            return 1;
        }
        return Math.max(1, (Duration.between(now, check.windowEnd()).toMillis() + 999) / 1000);
    }

}
