package io.llmproxy.command.price;

import io.llmproxy.command.common.Aggregates;
import io.llmproxy.command.provider.Provider;
import org.axonframework.modelling.command.Repository;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
class PriceConfiguration {

    @Bean
    PriceCommandHandler priceCommandHandler(@Qualifier("priceListRepository") Repository<PriceList> priceLists,
                                            @Qualifier("providerRepository") Repository<Provider> providers) {
        return new PriceCommandHandler(priceLists, id -> Aggregates.exists(providers, id));
    }
}
