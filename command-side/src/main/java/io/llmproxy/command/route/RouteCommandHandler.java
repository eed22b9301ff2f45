package io.llmproxy.command.route;

import io.llmproxy.command.common.CommandRejected;
import io.llmproxy.kernel.route.DefineRoute;
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
        routes.loadOrCreate(command.routeId(), Route::new)
                .execute(route -> route.define(command.tenantId(), command.model(), command.targets()));
    }
}
