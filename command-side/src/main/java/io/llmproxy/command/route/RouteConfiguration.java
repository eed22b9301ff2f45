package io.llmproxy.command.route;

import io.llmproxy.command.provider.Provider;
import io.llmproxy.command.tenant.Tenant;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.Repository;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
class RouteConfiguration {

    @Bean
    RouteCommandHandler routeCommandHandler(@Qualifier("routeRepository") Repository<Route> routes,
                                            @Qualifier("providerRepository") Repository<Provider> providers,
                                            @Qualifier("tenantRepository") Repository<Tenant> tenants) {
        return new RouteCommandHandler(routes, id -> exists(providers, id), id -> exists(tenants, id));
    }

    private static boolean exists(Repository<?> repository, String id) {
        try {
            repository.load(id);
            return true;
        } catch (AggregateNotFoundException e) {
            return false;
        }
    }
}
