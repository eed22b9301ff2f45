package io.llmproxy.query.identity;

import io.llmproxy.identity.UserDirectory;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Turns on the provisioning of tenant users into Keycloak ({@link KeycloakUserProvisioning}) when
 * {@code llmproxy.identity.provisioning.enabled=true} ({@code infra/local/up.sh} sets it).
 * The admin connection: {@code llmproxy.identity.keycloak.*} — {@code server-url}, {@code realm}
 * (where tenant users live), {@code admin-realm}/{@code admin-client-id}/{@code admin-username} and the
 * password read from {@code admin-password-file} (never from the command line, never logged).
 * Failures propagate to the processor, which retries them (see {@link KeycloakUserProvisioning}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "llmproxy.identity.provisioning.enabled", havingValue = "true")
@EnableConfigurationProperties(IdentityProvisioningConfiguration.KeycloakAdminProperties.class)
public class IdentityProvisioningConfiguration {

    /**
     * @param serverUrl         Keycloak's base URL, e.g. {@code http://127.0.0.1:8080}
     * @param realm             the realm of tenant users ({@code llmproxy})
     * @param adminRealm        the realm of the admin account ({@code master})
     * @param adminClientId     its client ({@code admin-cli})
     * @param adminUsername     its user name
     * @param adminPasswordFile a file holding its password
     */
    @ConfigurationProperties("llmproxy.identity.keycloak")
    public record KeycloakAdminProperties(String serverUrl, String realm, String adminRealm, String adminClientId,
                                          String adminUsername, String adminPasswordFile) {
        @Override
        public String toString() {
            return "KeycloakAdminProperties[serverUrl=" + serverUrl + ", realm=" + realm + ", adminRealm=" + adminRealm
                    + ", adminUsername=" + adminUsername + ", adminPasswordFile=" + adminPasswordFile + "]";
        }
    }

    @Bean(destroyMethod = "close")
    UserDirectory userDirectory(KeycloakAdminProperties p) {
        return UserDirectory.open(p.serverUrl(), p.realm(), p.adminRealm(), p.adminClientId(), p.adminUsername(),
                p.adminPasswordFile());
    }

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
