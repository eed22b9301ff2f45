package io.llmproxy.command.access;

import io.llmproxy.command.common.CommandRejected;
import io.llmproxy.kernel.access.AssignRole;
import io.llmproxy.kernel.access.RemoveRoleAssignment;
import io.llmproxy.kernel.access.Role;
import io.llmproxy.kernel.access.RoleAssigned;
import io.llmproxy.kernel.access.RoleAssignmentRemoved;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Every branch of assigning and removing a role assignment, given / when / expect events. */
class RoleAssignmentAggregateTest {

    private static final String T1 = "t1";
    private AggregateTestFixture<RoleAssignment> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(RoleAssignment.class);
        fixture.registerAnnotatedCommandHandler(new RoleAssignmentCommandHandler(fixture.getRepository(), T1::equals));
    }

    private static String id(String principal, Role role, String tenantId) {
        return AssignRole.idOf(principal, role, tenantId);
    }

    @ParameterizedTest(name = "{0} at tenant t1")
    @EnumSource(value = Role.class, names = "PlatformAdmin", mode = EnumSource.Mode.EXCLUDE)
    void aTenantRoleIsAssignedAtAnExistingTenant(Role role) {
        String id = id("ada@example.org", role, T1);
        fixture.givenNoPriorActivity()
                .when(AssignRole.of("Ada@Example.org", role, T1))
                .expectSuccessfulHandlerExecution()
                .expectResultMessagePayload(true)
                .expectEvents(new RoleAssigned(T1, id, "ada@example.org", role, fixture.currentTime()));
    }

    @Test
    void platformAdminIsAssignedAtPlatformScope() {
        String id = id("platform-admin", Role.PlatformAdmin, null);
        fixture.givenNoPriorActivity()
                .when(AssignRole.of("platform-admin", Role.PlatformAdmin, null))
                .expectResultMessagePayload(true)
                .expectEvents(new RoleAssigned(null, id, "platform-admin", Role.PlatformAdmin, fixture.currentTime()));
    }

    /** Every role at the scope it does not take: 400 naming role, no event. */
    @ParameterizedTest(name = "{0} at tenant [{1}]")
    @CsvSource(value = {"PlatformAdmin,t1", "TenantAdmin,", "Developer,", "FinanceReader,", "Auditor,"})
    void aRoleAtTheWrongKindOfScopeIsRefused(Role role, String tenantId) {
        fixture.givenNoPriorActivity()
                .when(AssignRole.of("ada@example.org", role, tenantId))
                .expectException(CommandRejected.class)
                .expectExceptionMessage(role.platformScoped()
                        ? role + " is assigned at platform scope only: omit tenantId"
                        : role + " is assigned at a tenant only: give tenantId")
                .expectNoEvents();
    }

    @Test
    void assigningWhatIsInForceIsIdempotent() {
        String id = id("ada@example.org", Role.Developer, T1);
        fixture.given(new RoleAssigned(T1, id, "ada@example.org", Role.Developer, fixture.currentTime()))
                .when(AssignRole.of("ada@example.org", Role.Developer, T1))
                .expectSuccessfulHandlerExecution()
                .expectResultMessagePayload(false)
                .expectNoEvents();
    }

    @Test
    void aRemovedAssignmentCanBeAssignedAgainUnderTheSameId() {
        String id = id("ada@example.org", Role.Auditor, T1);
        fixture.given(new RoleAssigned(T1, id, "ada@example.org", Role.Auditor, fixture.currentTime()),
                        new RoleAssignmentRemoved(T1, id, "ada@example.org", Role.Auditor, fixture.currentTime()))
                .when(AssignRole.of("ada@example.org", Role.Auditor, T1))
                .expectResultMessagePayload(true)
                .expectEvents(new RoleAssigned(T1, id, "ada@example.org", Role.Auditor, fixture.currentTime()));
    }

    @Test
    void aTenantScopedAssignmentAtAnUnknownTenantIsNotFound() {
        fixture.givenNoPriorActivity()
                .when(AssignRole.of("ada@example.org", Role.Developer, "t9"))
                .expectException(CommandRejected.class)
                .expectExceptionMessage("tenant t9 not found")
                .expectNoEvents();
    }

    /** Principal names: the field is named, nothing is stored. */
    @ParameterizedTest(name = "[{0}] → {1}")
    @CsvSource(delimiter = '|', value = {
            "''|principal must not be blank",
            "'   '|principal must not be blank",
            "'ada\u0000@example.org'|principal must not contain control characters",
            "'ada\u007f@example.org'|principal must not contain control characters",
            "'ada lovelace'|principal must not contain whitespace",
            "'ada\u00a0lovelace'|principal must not contain whitespace",
            "'ada\ud800'|principal contains an unpaired surrogate"})
    void badPrincipalNamesAreRefused(String principal, String message) {
        fixture.givenNoPriorActivity()
                .when(AssignRole.of(principal, Role.Developer, T1))
                .expectException(CommandRejected.class)
                .expectExceptionMessage(message)
                .expectNoEvents();
    }

    @Test
    void aPrincipalOf256CharactersIsRefusedAnd255IsAccepted() {
        String ok = "a".repeat(255);
        fixture.givenNoPriorActivity()
                .when(AssignRole.of(ok, Role.Developer, T1))
                .expectEvents(new RoleAssigned(T1, id(ok, Role.Developer, T1), ok, Role.Developer, fixture.currentTime()));
        setUp();
        fixture.givenNoPriorActivity()
                .when(AssignRole.of("a".repeat(256), Role.Developer, T1))
                .expectException(CommandRejected.class)
                .expectExceptionMessage("principal must be at most 255 characters");
    }

    @Test
    void aCommandWhoseIdOrCaseDoesNotMatchIsRefused() {
        fixture.givenNoPriorActivity()
                .when(new AssignRole(id("ada@example.org", Role.Developer, T1), "Ada@example.org", Role.Developer, T1))
                .expectException(CommandRejected.class)
                .expectExceptionMessage("principal must be lower-case (a Keycloak preferred_username)");
        setUp();
        fixture.givenNoPriorActivity()
                .when(new AssignRole(id("bob@example.org", Role.Developer, T1), "ada@example.org", Role.Developer, T1))
                .expectException(CommandRejected.class)
                .expectExceptionMessage("assignmentId must be the id of (principal, role, scope)");
    }

    @Test
    void aMissingRoleOrBlankTenantIsRefusedNamingTheField() {
        fixture.givenNoPriorActivity()
                .when(AssignRole.of("ada@example.org", null, T1))
                .expectException(CommandRejected.class)
                .expectExceptionMessage("role must be one of PlatformAdmin, TenantAdmin, Developer, FinanceReader, Auditor");
        setUp();
        fixture.givenNoPriorActivity()
                .when(AssignRole.of("ada@example.org", Role.Developer, " "))
                .expectException(CommandRejected.class)
                .expectExceptionMessage("tenantId must not be blank (omit it for platform scope)");
    }

    @Test
    void removingAnAssignmentInForceEmitsRemovedWithItsScope() {
        String id = id("ada@example.org", Role.FinanceReader, T1);
        fixture.given(new RoleAssigned(T1, id, "ada@example.org", Role.FinanceReader, fixture.currentTime()))
                .when(new RemoveRoleAssignment(id))
                .expectEvents(new RoleAssignmentRemoved(T1, id, "ada@example.org", Role.FinanceReader, fixture.currentTime()));
    }

    @Test
    void removingAnAlreadyRemovedAssignmentIsNotFound() {
        String id = id("ada@example.org", Role.FinanceReader, T1);
        fixture.given(new RoleAssigned(T1, id, "ada@example.org", Role.FinanceReader, fixture.currentTime()),
                        new RoleAssignmentRemoved(T1, id, "ada@example.org", Role.FinanceReader, fixture.currentTime()))
                .when(new RemoveRoleAssignment(id))
                .expectException(CommandRejected.class)
                .expectExceptionMessage("role assignment " + id + " not found")
                .expectNoEvents();
    }

    @ParameterizedTest(name = "remove [{0}]")
    @CsvSource(value = {"8f14e45f-ceea-367a-9a36-dedd4bea2543", "not-an-id", "7c1d5b0e-0000-4000-8000-000000000001"})
    void removingAnAssignmentThatNeverExistedIsNotFound(String id) {
        fixture.givenNoPriorActivity()
                .when(new RemoveRoleAssignment(id))
                .expectException(CommandRejected.class)
                .expectExceptionMessage("role assignment " + id + " not found")
                .expectNoEvents();
    }
}
