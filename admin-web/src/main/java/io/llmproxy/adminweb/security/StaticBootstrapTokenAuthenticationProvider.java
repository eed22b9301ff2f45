package io.llmproxy.adminweb.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;

/**
 * Accepts the static bootstrap admin token ({@code Authorization: Bearer $LLMPROXY_ADMIN_TOKEN},
 * compared in constant time) and authenticates it as principal {@value #PRINCIPAL} with authority
 * {@value #AUTHORITY}.
 *
 * <p>It is one {@link AuthenticationProvider} of the admin apps' {@code ProviderManager}
 * (see {@link AdminSecurity}). The identity issue adds a {@code JwtAuthenticationProvider}
 * (Keycloak JWTs) as another {@code AuthenticationProvider} bean next to it: a bearer token this
 * provider does not know is refused here with {@link BadCredentialsException}, and the manager
 * then asks the next provider. Setting {@code llmproxy.security.bootstrap-token.enabled=false}
 * (default true) removes this provider, so only JWTs are accepted.
 */
public class StaticBootstrapTokenAuthenticationProvider implements AuthenticationProvider {

    /** Principal name of a request authenticated by the bootstrap token (the actor in audit events). */
    public static final String PRINCIPAL = "bootstrap-token";
    /** Authority granted to the bootstrap token: platform administrator. */
    public static final String AUTHORITY = "ROLE_PlatformAdmin";

    private final byte[] expected;

    /**
     * @param token the bootstrap admin token (env {@code LLMPROXY_ADMIN_TOKEN})
     * @throws IllegalStateException when the token is blank (the app refuses to start)
     */
    public StaticBootstrapTokenAuthenticationProvider(String token) {
        if (token == null || token.isBlank()) {
            throw new IllegalStateException("LLMPROXY_ADMIN_TOKEN must be set (infra/local/up.sh sets one), "
                    + "or turn the bootstrap token off with llmproxy.security.bootstrap-token.enabled=false");
        }
        this.expected = token.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @return an authenticated token for {@value #PRINCIPAL} with {@value #AUTHORITY}; null (abstain,
     *         so the JWT provider's refusal is the one reported and counted) when the token is not the
     *         bootstrap token but has a JWT's shape ({@code header.payload.signature})
     * @throws BadCredentialsException when the bearer token is not the bootstrap token
     */
    @Override
    public Authentication authenticate(Authentication authentication) throws AuthenticationException {
        String presented = ((BearerTokenAuthenticationToken) authentication).getToken();
        if (presented == null || !MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.UTF_8))) {
            if (presented != null && presented.chars().filter(c -> c == '.').count() == 2) {
                return null;
            }
            throw new BadCredentialsException("bearer token is not the bootstrap admin token");
        }
        return UsernamePasswordAuthenticationToken.authenticated(PRINCIPAL, null,
                List.of(new SimpleGrantedAuthority(AUTHORITY)));
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return BearerTokenAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
