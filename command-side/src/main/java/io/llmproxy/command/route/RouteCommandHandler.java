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

    /**
     * @param routes         the route repository
     * @param providerExists tells whether a provider id is registered
     */
    public RouteCommandHandler(Repository<Route> routes, Predicate<String> providerExists) {
        this.routes = routes;
        this.providerExists = providerExists;
    }

    @CommandHandler
    public void handle(DefineRoute command) throws Exception {
        RouteRules.check(command);
        for (int i = 0; i < command.targets().size(); i++) {
            String providerId = command.targets().get(i).providerId();
            if (!providerExists.test(providerId)) {
                throw CommandRejected.notFound("targets[" + i + "].providerId", "provider " + providerId + " not found");
            }
        }
        routes.loadOrCreate(command.model(), Route::new).execute(route -> route.define(command.model(), command.targets()));
    }
}
