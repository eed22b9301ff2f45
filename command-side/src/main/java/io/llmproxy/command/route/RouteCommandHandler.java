package io.llmproxy.command.route;

import io.llmproxy.command.common.Aggregates;
import io.llmproxy.command.common.CommandRejected;
import io.llmproxy.kernel.route.DefineRoute;
import io.llmproxy.kernel.route.RoutePolicy;
import java.util.List;
import java.util.function.Predicate;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.modelling.command.Repository;

/**
 * Handles {@link DefineRoute}: checks every target provider exists, then creates the route
 * aggregate or loads it, and defines it.
 */
public class RouteCommandHandler {

    private final Repository<Route> routes;
    private final Predicate<String> providerExists;
    private final Predicate<String> tenantExists;

    /**
     * @param routes         the route repository
     * @param providerExists tells whether a provider id is registered
     * @param tenantExists   tells whether a tenant id exists (for a tenant's own routes)
     */
    public RouteCommandHandler(Repository<Route> routes, Predicate<String> providerExists,
                               Predicate<String> tenantExists) {
        this.routes = routes;
        this.providerExists = providerExists;
        this.tenantExists = tenantExists;
    }

    @CommandHandler
    public void handle(DefineRoute command) throws Exception {
        RouteRules.check(command);
        if (command.tenantId() != null && !tenantExists.test(command.tenantId())) {
            throw CommandRejected.notFound("tenantId", "tenant " + command.tenantId() + " not found");
        }
        for (int i = 0; i < command.targets().size(); i++) {
            String providerId = command.targets().get(i).providerId();
            if (!providerExists.test(providerId)) {
                throw CommandRejected.notFound("targets[" + i + "].providerId", "provider " + providerId + " not found");
            }
        }
        RouteRules.checkPolicy(command.model(), command.policy());
        checkFallbacks(command);
        routes.loadOrCreate(command.routeId(), Route::new)
                .execute(route -> route.define(command.tenantId(), command.model(), command.targets(), command.policy()));
    }

    /**
     * Every fallback names an existing route the caller's tenant can reach (its own, or a global one),
     * and following fallbacks from this route never comes back to it.
     *
     * @throws CommandRejected 404 {@code fallbacks[i]} for an unknown model; 400 {@code fallbacks[i]} for a cycle
     */
    private void checkFallbacks(DefineRoute command) {
        List<String> fallbacks = RoutePolicy.orDefault(command.policy()).fallbacksOrEmpty();
        for (int i = 0; i < fallbacks.size(); i++) {
            String start = fallbacks.get(i);
            if (fallbacksOf(command.tenantId(), start) == null) {
                throw CommandRejected.notFound("fallbacks[" + i + "]", "no route for fallback model " + start);
            }
            java.util.Deque<String> todo = new java.util.ArrayDeque<>(List.of(start));
            java.util.Set<String> seen = new java.util.HashSet<>();
            while (!todo.isEmpty()) {
                String next = todo.pop();
                if (next.equals(command.model())) {
                    throw CommandRejected.invalid("fallbacks[" + i + "]", "fallback " + start + " leads back to "
                            + command.model() + ": a cycle");
                }
                if (seen.add(next) && seen.size() < 100) {
                    List<String> further = fallbacksOf(command.tenantId(), next);
                    if (further != null) {
                        todo.addAll(further);
                    }
                }
            }
        }
    }

    /** @return the fallbacks of the route {@code model} as {@code tenantId} sees it; null when there is none */
    private List<String> fallbacksOf(String tenantId, String model) {
        for (String id : tenantId == null ? List.of(DefineRoute.idOf(null, model))
                : List.of(DefineRoute.idOf(tenantId, model), DefineRoute.idOf(null, model))) {
            if (Aggregates.exists(routes, id)) {
                List<List<String>> out = new java.util.ArrayList<>();
                routes.load(id).execute(route -> out.add(route.fallbacks()));
                return out.get(0);
            }
        }
        return null;
    }
}
