package io.llmproxy.adminweb;

import io.llmproxy.adminweb.security.AdminSecurity;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Everything both admin apps share on the web side, imported once by each: Spring Security
 * ({@link AdminSecurity}), problem JSON for framework failures ({@link CommonProblemHandler}),
 * for the container's error path ({@link AdminErrorController}) and for Tomcat's own errors
 * ({@link TomcatJsonErrors}), 503 when PostgreSQL is unreachable ({@link StoreUnavailable}) and
 * the input checks that precede any handler ({@link RequestMediaType}, {@link ControlCharacterParameters}),
 * and the Keycloak admin connection when provisioning is on.
 */
@Configuration(proxyBeanMethods = false)
@Import({AdminSecurity.class, io.llmproxy.adminweb.security.JwtSecurity.class, CommonProblemHandler.class, AdminErrorController.class,
        io.llmproxy.adminweb.identity.KeycloakAdminConfiguration.class})
public class AdminWeb implements WebMvcConfigurer {

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new RequestMediaType());
        registry.addInterceptor(new ControlCharacterParameters());
    }

    @Override
    public void extendHandlerExceptionResolvers(List<HandlerExceptionResolver> resolvers) {
        resolvers.addFirst(new StoreUnavailable());
    }

    @Bean
    static TomcatJsonErrors tomcatJsonErrors() {
        return new TomcatJsonErrors();
    }
}
