package io.llmproxy.command.route;

import io.llmproxy.command.common.Aggregates;
import io.llmproxy.command.provider.Provider;
import io.llmproxy.command.tenant.Tenant;
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
        return new RouteCommandHandler(routes, id -> Aggregates.exists(providers, id), id -> Aggregates.exists(tenants, id));
    }
}
