package io.llmproxy.kernel.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmproxy.kernel.user.UserRole;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.json.JsonMapper;

/** The permission matrix, the role/scope pairing, the user-role migration and assignment ids. */
class PermissionMatrixTest {

    /** The whole matrix, row by row, as ADR 0013 and the README show it. */
    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', value = {
            "tenants:manage         | PlatformAdmin",
            "providers:manage       | PlatformAdmin",
            "routes:global          | PlatformAdmin",
            "prices:manage          | PlatformAdmin",
            "projections:replay     | PlatformAdmin",
            "prices:read            | PlatformAdmin TenantAdmin Developer FinanceReader Auditor",
            "tenant:read            | PlatformAdmin TenantAdmin Developer FinanceReader Auditor",
            "users:manage           | PlatformAdmin TenantAdmin",
            "keys:issue             | PlatformAdmin TenantAdmin",
            "keys:issue-own         | PlatformAdmin TenantAdmin Developer",
            "quotas:manage          | PlatformAdmin TenantAdmin",
            "routes:tenant          | PlatformAdmin TenantAdmin",
            "content-capture:manage | PlatformAdmin TenantAdmin",
            "usage:read             | PlatformAdmin FinanceReader",
            "usage:read-own         | PlatformAdmin Developer FinanceReader",
            "statements:read        | PlatformAdmin FinanceReader",
            "audit:read             | PlatformAdmin Auditor"})
    void eachPermissionIsHeldByExactlyTheseRoles(String name, String roles) {
        Permission permission = Permission.fromWireName(name).orElseThrow();
        assertThat(permission.roles()).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(roles.split(" ")).map(Role::valueOf).toList());
    }

    @Test
    void theTableHasSeventeenPermissionsWithUniqueNamesAndPlatformAdminHoldsThemAll() {
        assertThat(Permission.values()).hasSize(17);
        assertThat(Arrays.stream(Permission.values()).map(Permission::wireName).collect(Collectors.toSet())).hasSize(17);
        assertThat(Permission.of(Role.PlatformAdmin)).containsExactly(Permission.values());
        assertThat(Permission.fromWireName("keys:delete-everything")).isEmpty();
        assertThat(Permission.of(Role.Auditor)).containsExactly(Permission.PRICES_READ, Permission.TENANT_READ, Permission.AUDIT_READ);
        assertThat(Permission.of(Role.Developer)).containsExactly(Permission.PRICES_READ, Permission.TENANT_READ,
                Permission.KEYS_ISSUE_OWN, Permission.USAGE_READ_OWN);
    }

    @Test
    void aRoleHoldingABroadPermissionHoldsItsOwnVariantToo() {
        for (Permission p : Permission.values()) {
            Permission own = Permission.fromWireName(p.wireName() + "-own").orElse(null);
            if (own != null) {
                assertThat(own.roles()).as(own.wireName()).containsAll(p.roles());
            }
        }
    }

    @ParameterizedTest(name = "{0} at platform: {1}, at a tenant: {2}")
    @CsvSource({"PlatformAdmin,true,false", "TenantAdmin,false,true", "Developer,false,true", "FinanceReader,false,true",
            "Auditor,false,true"})
    void eachRoleIsAssignableAtOneKindOfScope(Role role, boolean atPlatform, boolean atTenant) {
        assertThat(role.assignableAt(Scope.PLATFORM)).isEqualTo(atPlatform);
        assertThat(role.assignableAt(Scope.of("t1"))).isEqualTo(atTenant);
    }

    @Test
    void tenantUserRolesMapOntoAssignmentsAsDocumented() {
        assertThat(Role.ofUserRole(UserRole.TenantAdmin)).containsExactly(Role.TenantAdmin);
        assertThat(Role.ofUserRole(UserRole.Developer)).containsExactly(Role.Developer);
        assertThat(Role.ofUserRole(UserRole.Reader)).containsExactly(Role.FinanceReader, Role.Auditor);
        assertThat(Role.ofUserRole(null)).isEmpty();
        assertThat(Set.of(UserRole.values())).hasSize(3);
    }

    @Test
    void assignmentIdsAreStableNameBasedUuidsOfPrincipalRoleAndScope() {
        AssignRole a = AssignRole.of("Ada@Example.org", Role.Developer, "t1");
        assertThat(a.principal()).isEqualTo("ada@example.org");
        assertThat(a.assignmentId()).isEqualTo(AssignRole.idOf("ada@example.org", Role.Developer, "t1"))
                .matches("[0-9a-f]{8}-[0-9a-f]{4}-3[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        // pinned: a change of the derivation would orphan every stored assignment
        assertThat(AssignRole.idOf("platform-admin", Role.PlatformAdmin, null))
                .isEqualTo(java.util.UUID.nameUUIDFromBytes("role-assignment\nplatform-admin\nPlatformAdmin\nplatform"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString());
        List<String> ids = List.of(a.assignmentId(), AssignRole.idOf("ada@example.org", Role.Developer, "t2"),
                AssignRole.idOf("ada@example.org", Role.Auditor, "t1"), AssignRole.idOf("bob@example.org", Role.Developer, "t1"));
        assertThat(Set.copyOf(ids)).hasSize(4);
        assertThat(Scope.of(null).label()).isEqualTo("platform");
        assertThat(Scope.of("t1").label()).isEqualTo("tenant:t1");
    }

    @Test
    void eventsSerializeWithTheirDocumentedFieldsAndReadBack() throws Exception {
        JsonMapper mapper = JsonMapper.builder().build();
        RoleAssigned assigned = new RoleAssigned(null, "id-1", "platform-admin", Role.PlatformAdmin,
                Instant.parse("2026-12-01T10:00:00Z"));
        String json = mapper.writeValueAsString(assigned);
        assertThat(json).isEqualTo("{\"tenantId\":null,\"assignmentId\":\"id-1\",\"principal\":\"platform-admin\","
                + "\"role\":\"PlatformAdmin\",\"occurredAt\":\"2026-12-01T10:00:00Z\"}");
        assertThat(mapper.readValue(json, RoleAssigned.class)).isEqualTo(assigned);
        RoleAssignmentRemoved removed = new RoleAssignmentRemoved("t1", "id-2", "ada@example.org", Role.Auditor,
                Instant.parse("2026-12-01T11:00:00Z"));
        assertThat(mapper.readValue(mapper.writeValueAsString(removed), RoleAssignmentRemoved.class)).isEqualTo(removed);
    }
}
