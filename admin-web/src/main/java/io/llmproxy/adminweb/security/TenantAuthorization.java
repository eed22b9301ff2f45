package io.llmproxy.adminweb.security;

import io.llmproxy.adminweb.security.EndpointPermissions.Ownership;
import io.llmproxy.adminweb.security.EndpointPermissions.Rule;
import io.llmproxy.adminweb.security.EndpointPermissions.TenantFrom;
import io.llmproxy.kernel.access.Permission;
import io.llmproxy.kernel.access.Role;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;

/**
 * The one place where the admin, finance and audit APIs decide a call (issue #10): a Spring
 * Security {@link AuthorizationManager} per {@link Rule} of {@link EndpointPermissions}.
 *
 * <p>Decision, for an authenticated caller:
 * <ol>
 *   <li>{@code ROLE_PlatformAdmin} (the bootstrap token, or a platform-scope assignment) → granted.</li>
 *   <li>{@link TenantFrom#PLATFORM} → denied.</li>
 *   <li>The tenant: path variable {@code tenantId}, or query parameter {@code tenantId} given exactly
 *       once; none → denied. {@link TenantFrom#ANY_TENANT}: every tenant the caller has a role in.</li>
 *   <li>Granted when a role the caller holds at that tenant ({@link RoleAssignmentAuthorities}'
 *       {@code TENANT:<tenantId>:<Role>}) holds one of the rule's permissions, or holds its
 *       {@code -own} permission and the call is on the caller's own user id or key
 *       ({@code TENANT_USER:<tenantId>:<userId>}, keys' owners from {@code rm_api_key}).</li>
 * </ol>
 * A denial is 403 problem JSON ({@link AdminSecurity#forbiddenHandler(AuthRefusals)}); a call on another
 * tenant is a denial, never a 404, so no tenant id can be probed.
 */
public final class TenantAuthorization implements AuthorizationManager<RequestAuthorizationContext> {

    private static final Logger log = LoggerFactory.getLogger(TenantAuthorization.class);
    private static final String PLATFORM_ADMIN = "ROLE_" + Role.PlatformAdmin.name();

    private final Rule rule;
    private final ObjectProvider<JdbcTemplate> jdbc;

    /**
     * @param rule the endpoint's rule
     * @param jdbc the read-model database, for key ownership ({@link Ownership#PATH_KEY}) only
     */
    public TenantAuthorization(Rule rule, ObjectProvider<JdbcTemplate> jdbc) {
        this.rule = rule;
        this.jdbc = jdbc;
    }

    @Override
    public AuthorizationResult authorize(Supplier<? extends Authentication> authentication, RequestAuthorizationContext context) {
        Authentication caller = authentication.get();
        if (caller == null || !caller.isAuthenticated()) {
            return new AuthorizationDecision(false);
        }
        return new AuthorizationDecision(granted(caller.getAuthorities(), context));
    }

    private boolean granted(Collection<? extends GrantedAuthority> authorities, RequestAuthorizationContext context) {
        if (authorities.stream().anyMatch(a -> PLATFORM_ADMIN.equals(a.getAuthority()))) {
            return true;
        }
        return switch (rule.tenantFrom()) {
            case PLATFORM -> false;
            case ANY_ROLE -> !tenantsOf(authorities).isEmpty();
            case ANY_TENANT -> tenantsOf(authorities).stream().anyMatch(t -> grantedAt(t, authorities, context));
            case PATH -> grantedAt(context.getVariables().get("tenantId"), authorities, context);
            case QUERY -> grantedAt(single(context, "tenantId"), authorities, context);
        };
    }

    private boolean grantedAt(String tenantId, Collection<? extends GrantedAuthority> authorities,
                              RequestAuthorizationContext context) {
        if (tenantId == null || tenantId.isEmpty()) {
            return false;
        }
        List<Role> roles = rolesAt(tenantId, authorities);
        if (roles.stream().anyMatch(r -> rule.permissions().stream().anyMatch(p -> p.heldBy(r)))) {
            return true;
        }
        Permission own = rule.own();
        return own != null && roles.stream().anyMatch(own::heldBy) && owns(tenantId, authorities, context);
    }

    private boolean owns(String tenantId, Collection<? extends GrantedAuthority> authorities,
                         RequestAuthorizationContext context) {
        String me = userIdAt(tenantId, authorities);
        if (me == null) {
            return false;
        }
        return switch (rule.ownership()) {
            case NONE -> false;
            case PATH_USER -> me.equals(context.getVariables().get("userId"));
            case QUERY_USER -> me.equals(single(context, rule.ownParameter()));
            case PATH_KEY -> me.equals(keyOwner(tenantId, context.getVariables().get("apiKeyId")));
        };
    }

    private String keyOwner(String tenantId, String apiKeyId) {
        if (apiKeyId == null) {
            return null;
        }
        try {
            List<String> owner = jdbc.getObject().queryForList(
                    "SELECT owner_user_id FROM rm_api_key WHERE api_key_id = ? AND tenant_id = ?", String.class,
                    apiKeyId, tenantId);
            return owner.isEmpty() ? null : owner.get(0);
        } catch (DataAccessException e) {
            log.warn("The owner of an API key cannot be read ({}); the call is refused", e.getMessage());
            return null;
        }
    }

    /** @return the parameter's value when given exactly once, else null */
    private static String single(RequestAuthorizationContext context, String name) {
        String[] values = context.getRequest().getParameterValues(name);
        return values != null && values.length == 1 ? values[0] : null;
    }

    static List<Role> rolesAt(String tenantId, Collection<? extends GrantedAuthority> authorities) {
        String prefix = RoleAssignmentAuthorities.TENANT + tenantId + ":";
        List<Role> roles = new ArrayList<>();
        for (GrantedAuthority a : authorities) {
            String name = a.getAuthority();
            if (name != null && name.startsWith(prefix)) {
                try {
                    roles.add(Role.valueOf(name.substring(prefix.length())));
                } catch (IllegalArgumentException unknownRole) {
                    // a role name this version does not know grants nothing
                }
            }
        }
        return roles;
    }

    static String userIdAt(String tenantId, Collection<? extends GrantedAuthority> authorities) {
        String prefix = RoleAssignmentAuthorities.TENANT_USER + tenantId + ":";
        return authorities.stream().map(GrantedAuthority::getAuthority)
                .filter(n -> n != null && n.startsWith(prefix))
                .map(n -> n.substring(prefix.length())).findFirst().orElse(null);
    }

    private static List<String> tenantsOf(Collection<? extends GrantedAuthority> authorities) {
        return authorities.stream().map(GrantedAuthority::getAuthority)
                .filter(n -> n != null && n.startsWith(RoleAssignmentAuthorities.TENANT))
                .map(n -> n.substring(RoleAssignmentAuthorities.TENANT.length(), n.lastIndexOf(':')))
                .distinct().toList();
    }
}
