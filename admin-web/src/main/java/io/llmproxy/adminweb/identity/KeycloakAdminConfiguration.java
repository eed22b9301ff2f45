package io.llmproxy.adminweb.identity;

import io.llmproxy.identity.UserDirectory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The Keycloak admin connection of both admin apps (issue #10, ADR 0016): a {@link UserDirectory} for
 * query-side's provisioning processor and command-side's temporary passwords; on when
 * {@code llmproxy.identity.provisioning.enabled=true} ({@code infra/local/up.sh} sets it).
 * The admin connection: {@code llmproxy.identity.keycloak.*} — {@code server-url}, {@code realm}
 * (where tenant users live), {@code admin-realm}/{@code admin-client-id}/{@code admin-username} and the
 * password read from {@code admin-password-file} (never from the command line, never logged).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "llmproxy.identity.provisioning.enabled", havingValue = "true")
@EnableConfigurationProperties(KeycloakAdminConfiguration.KeycloakAdminProperties.class)
public class KeycloakAdminConfiguration {

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

}
