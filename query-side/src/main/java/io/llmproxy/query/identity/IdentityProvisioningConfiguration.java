package io.llmproxy.query.identity;

import io.llmproxy.identity.UserDirectory;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Turns on the provisioning of tenant users into Keycloak ({@link KeycloakUserProvisioning}) when
 * {@code llmproxy.identity.provisioning.enabled=true} ({@code infra/local/up.sh} sets it).
 * The admin connection ({@link UserDirectory}) is admin-web's {@code KeycloakAdminConfiguration}.
 * Failures propagate to the processor, which retries them (see {@link KeycloakUserProvisioning}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "llmproxy.identity.provisioning.enabled", havingValue = "true")
public class IdentityProvisioningConfiguration {

    @Bean
    KeycloakUserProvisioning keycloakUserProvisioning(UserDirectory directory, JdbcTemplate jdbc,
                                                      org.springframework.transaction.PlatformTransactionManager transactions) {
        return new KeycloakUserProvisioning(directory, jdbc, transactions);
    }

    /** A failure is rethrown to the processor, which retries the event with back-off. */
    @Bean
    ConfigurerModule keycloakProvisioningErrorHandling() {
        return configurer -> configurer.eventProcessing(processing -> processing
                .registerListenerInvocationErrorHandler(KeycloakUserProvisioning.GROUP, c -> PropagatingErrorHandler.instance())
                .registerTrackingEventProcessor(KeycloakUserProvisioning.GROUP));
    }
}
