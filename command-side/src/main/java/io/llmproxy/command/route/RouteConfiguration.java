package io.llmproxy.command.route;

import io.llmproxy.command.provider.Provider;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.Repository;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
class RouteConfiguration {

    @Bean
    RouteCommandHandler routeCommandHandler(@Qualifier("routeRepository") Repository<Route> routes,
                                            @Qualifier("providerRepository") Repository<Provider> providers) {
        return new RouteCommandHandler(routes, providerId -> {
            try {
                providers.load(providerId);
                return true;
            } catch (AggregateNotFoundException e) {
                return false;
            }
        });
    }
}
