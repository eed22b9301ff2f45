package io.llmproxy.command.route;

import io.llmproxy.command.common.CommandRejected;
import io.llmproxy.kernel.route.DefineRoute;
import io.llmproxy.kernel.route.RouteDefined;
import io.llmproxy.kernel.route.RouteTarget;
import java.util.List;
import java.util.Set;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RouteAggregateTest {

    private AggregateTestFixture<Route> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(Route.class);
        Set<String> providers = Set.of("p1", "p2");
        fixture.registerAnnotatedCommandHandler(new RouteCommandHandler(fixture.getRepository(), providers::contains, "t1"::equals));
    }

    @Test
    void defineNewRoute() {
        List<RouteTarget> targets = List.of(new RouteTarget("p1", "sim-gpt-4o-mini"));
        fixture.givenNoPriorActivity()
                .when(new DefineRoute("gpt-4o-mini", targets))
                .expectEvents(new RouteDefined("gpt-4o-mini", targets, fixture.currentTime()));
    }

    @Test
    void redefineExistingRouteToAnotherProvider() {
        List<RouteTarget> before = List.of(new RouteTarget("p1", "a"));
        List<RouteTarget> after = List.of(new RouteTarget("p2", "b"));
        fixture.given(new RouteDefined("gpt-4o-mini", before, fixture.currentTime()))
                .when(new DefineRoute("gpt-4o-mini", after))
                .expectEvents(new RouteDefined("gpt-4o-mini", after, fixture.currentTime()));
    }

    @Test
    void sameTargetsAgainIsANoOp() {
        List<RouteTarget> targets = List.of(new RouteTarget("p1", "a"));
        fixture.given(new RouteDefined("gpt-4o-mini", targets, fixture.currentTime()))
                .when(new DefineRoute("gpt-4o-mini", targets))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void unknownProviderIsNotFoundNamingTheTarget() {
        fixture.givenNoPriorActivity()
                .when(new DefineRoute("gpt-4o-mini", List.of(new RouteTarget("p1", "a"), new RouteTarget("p9", "b"))))
                .expectException(CommandRejected.class)
                .expectExceptionMessage("provider p9 not found")
                .expectNoEvents();
    }

    @Test
    void tenantRouteIsItsOwnAggregateAndNeedsAnExistingTenant() {
        List<RouteTarget> targets = List.of(new RouteTarget("p1", "a"));
        fixture.givenNoPriorActivity()
                .when(new DefineRoute("t1/gpt-4o-mini", "t1", "gpt-4o-mini", targets))
                .expectEvents(new RouteDefined("gpt-4o-mini", targets, fixture.currentTime(), "t1"));
    }

    @Test
    void tenantRouteOfAnUnknownTenantIsNotFound() {
        fixture.givenNoPriorActivity()
                .when(new DefineRoute("t9/gpt-4o-mini", "t9", "gpt-4o-mini", List.of(new RouteTarget("p1", "a"))))
                .expectException(CommandRejected.class)
                .expectExceptionMessage("tenant t9 not found");
    }

    @Test
    void emptyTargetsAreInvalid() {
        fixture.givenNoPriorActivity()
                .when(new DefineRoute("gpt-4o-mini", List.of()))
                .expectException(CommandRejected.class)
                .expectNoEvents();
    }
}
