package io.llmproxy.command.price;

import io.llmproxy.command.common.CommandRejected;
import io.llmproxy.kernel.price.PriceSet;
import io.llmproxy.kernel.price.SetPrice;
import java.math.BigDecimal;
import java.time.Instant;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PriceListAggregateTest {

    private static final Instant NOV = Instant.parse("2026-11-01T00:00:00Z");
    private static final Instant MID_NOV = Instant.parse("2026-11-15T00:00:00Z");

    private AggregateTestFixture<PriceList> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(PriceList.class);
        fixture.registerAnnotatedCommandHandler(new PriceCommandHandler(fixture.getRepository(), "p1"::equals));
    }

    private static BigDecimal d(String s) {
        return new BigDecimal(s);
    }

    @Test
    void firstPriceCreatesThePriceListWithNormalisedAmounts() {
        fixture.givenNoPriorActivity()
                .when(new SetPrice("p1", "gpt-4o", d("2.50"), d("10.00"), d("1.250"), NOV))
                .expectEvents(new PriceSet("p1", "gpt-4o", d("2.5"), d("10"), d("1.25"), NOV, fixture.currentTime()));
    }

    @Test
    void cachedPriceDefaultsToInputAndEffectiveFromToNow() {
        fixture.givenNoPriorActivity()
                .when(new SetPrice("p1", "gpt-4o", d("0.15"), d("0.6"), null, null))
                .expectEvents(new PriceSet("p1", "gpt-4o", d("0.15"), d("0.6"), d("0.15"), fixture.currentTime(),
                        fixture.currentTime()));
    }

    @Test
    void laterPriceIsAppended() {
        fixture.given(new PriceSet("p1", "gpt-4o", d("2.5"), d("10"), d("1.25"), NOV, NOV))
                .when(new SetPrice("p1", "gpt-4o", d("3"), d("12"), d("1.5"), MID_NOV))
                .expectEvents(new PriceSet("p1", "gpt-4o", d("3"), d("12"), d("1.5"), MID_NOV, fixture.currentTime()));
    }

    @Test
    void priceBeforeOrAtTheLatestIsAConflictSoHistoryIsNeverRewritten() {
        fixture.given(new PriceSet("p1", "gpt-4o", d("2.5"), d("10"), d("1.25"), MID_NOV, NOV))
                .when(new SetPrice("p1", "gpt-4o", d("1"), d("1"), null, NOV))
                .expectException(CommandRejected.class)
                .expectExceptionMessage("effectiveFrom must be after 2026-11-15T00:00:00Z, the effectiveFrom of this model's latest price")
                .expectNoEvents();
        fixture.given(new PriceSet("p1", "gpt-4o", d("2.5"), d("10"), d("1.25"), MID_NOV, NOV))
                .when(new SetPrice("p1", "gpt-4o", d("1"), d("1"), null, MID_NOV))
                .expectException(CommandRejected.class)
                .expectNoEvents();
    }

    @Test
    void unknownProviderIsNotFound() {
        fixture.givenNoPriorActivity()
                .when(new SetPrice("p9", "gpt-4o", d("1"), d("1"), null, NOV))
                .expectException(CommandRejected.class)
                .expectExceptionMessage("provider p9 not found")
                .expectNoEvents();
    }

    @Test
    void negativeOrTooPreciseOrMissingAmountsAreInvalidNamingTheField() {
        fixture.givenNoPriorActivity()
                .when(new SetPrice("p1", "gpt-4o", d("-1"), d("1"), null, NOV))
                .expectException(CommandRejected.class)
                .expectExceptionMessage("inputPerMillionUsd must be 0..1000000 USD per million tokens with at most 6 decimals");
        fixture.givenNoPriorActivity()
                .when(new SetPrice("p1", "gpt-4o", d("1"), d("0.0000001"), null, NOV))
                .expectException(CommandRejected.class)
                .expectExceptionMessage("outputPerMillionUsd must be 0..1000000 USD per million tokens with at most 6 decimals");
        fixture.givenNoPriorActivity()
                .when(new SetPrice("p1", "gpt-4o", d("1"), null, null, NOV))
                .expectException(CommandRejected.class)
                .expectExceptionMessage("outputPerMillionUsd is required (USD per million tokens)");
        fixture.givenNoPriorActivity()
                .when(new SetPrice("p1", " ", d("1"), d("1"), null, NOV))
                .expectException(CommandRejected.class)
                .expectExceptionMessage("model must be 1..200 characters");
        // an instant PostgreSQL cannot store would stop the price projection: refused up front
        fixture.givenNoPriorActivity()
                .when(new SetPrice("p1", "gpt-4o", d("1"), d("1"), null, Instant.parse("-999999999-01-01T00:00:00Z")))
                .expectException(CommandRejected.class)
                .expectExceptionMessage("effectiveFrom must be in the year 1 or later");
        fixture.givenNoPriorActivity()
                .when(new SetPrice("p1", "gpt-4o", d("1"), d("1"), null, Instant.parse("+10000-01-01T00:00:00Z")))
                .expectException(CommandRejected.class)
                .expectExceptionMessage("effectiveFrom must be before the year 10000");
    }
}
