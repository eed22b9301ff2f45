package io.llmproxy.query.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.adminweb.security.RoleAssignmentAuthorities;
import io.llmproxy.testsupport.LocalPostgres;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.security.core.GrantedAuthority;

/**
 * A tenant user whose Keycloak user is another tenant's or an operator's ({@code identity_provisioning.state =
 * conflict}, ADR 0016) gives its principal no authority: two tenants that added one e-mail at the same moment
 * both have a tenant-user assignment for it, and the admin of the tenant that got the Keycloak user (who can
 * set its password) must not act with the other tenant's role. On the read model as the projections migrate it.
 */
class ClaimedElsewhereAuthoritiesTest {

    static JdbcTemplate jdbc;

    @BeforeAll
    static void database() {
        String url = LocalPostgres.freshDatabase("llmproxy_query_claimed_elsewhere");
        Flyway.configure().dataSource(url, LocalPostgres.user(), LocalPostgres.password())
                .locations("classpath:db/migration/readmodel").table("flyway_readmodel_history").load().migrate();
        jdbc = new JdbcTemplate(new DriverManagerDataSource(url, LocalPostgres.user(), LocalPostgres.password()));
        // race@d.test was added by tenants c and d at once: c got the Keycloak user, d's user is in conflict
        assign("race@d.test", "TenantAdmin", "t-c", "user", "u-c");
        assign("race@d.test", "TenantAdmin", "t-d", "user", "u-d");
        // given by name at tenant e (source command): not a tenant user, not affected
        assign("race@d.test", "Auditor", "t-e", "command", null);
        // a tenant user of f before any provisioning ran (or with provisioning off): counts
        assign("race@d.test", "Developer", "t-f", "user", "u-f");
        // an existing Keycloak user LLM Proxy did not create, linked to a user of g: counts
        assign("race@d.test", "Developer", "t-g", "user", "u-g");
        provisioning("t-g", "u-g", "race@d.test", "external");
        provisioning("t-c", "u-c", "race@d.test", "provisioned");
        provisioning("t-d", "u-d", "race@d.test", "conflict");
    }

    static int index;

    static void assign(String principal, String role, String tenant, String source, String userId) {
        index++;
        jdbc.update("""
                INSERT INTO rm_role_assignment (assignment_id, principal, role, tenant_id, source, user_id, valid_from,
                    from_event_id, from_index) VALUES (?, ?, ?, ?, ?, ?, now(), ?, ?)""",
                "a-" + index, principal, role, tenant, source, userId, "e-" + index, index);
    }

    static void provisioning(String tenant, String userId, String username, String state) {
        jdbc.update("""
                INSERT INTO identity_provisioning (tenant_id, user_id, username, state, attempts, updated_at)
                VALUES (?, ?, ?, ?, 0, now())""", tenant, userId, username, state);
    }

    @Test
    void aTenantUserInConflictGivesNothingAndEveryOtherAssignmentCounts() {
        RoleAssignmentAuthorities authorities = new RoleAssignmentAuthorities(jdbc);
        for (String principal : List.of("race@d.test", "RACE@D.test", " race@d.test ")) {
            assertThat(authorities.of(principal)).as("'" + principal + "'").extracting(GrantedAuthority::getAuthority)
                    .containsExactlyInAnyOrder("TENANT:t-c:TenantAdmin", "TENANT_USER:t-c:u-c", "TENANT:t-e:Auditor",
                            "TENANT:t-f:Developer", "TENANT_USER:t-f:u-f", "TENANT:t-g:Developer", "TENANT_USER:t-g:u-g");
        }
        // once d's user is no longer in conflict (say the operator gave d the account), d's role counts again
        jdbc.update("UPDATE identity_provisioning SET state = 'provisioned' WHERE tenant_id = 't-d'");
        assertThat(authorities.of("race@d.test")).extracting(GrantedAuthority::getAuthority)
                .contains("TENANT:t-d:TenantAdmin", "TENANT_USER:t-d:u-d");
    }
}
