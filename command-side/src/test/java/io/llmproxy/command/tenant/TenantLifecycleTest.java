package io.llmproxy.command.tenant;

import io.llmproxy.command.common.CommandRejected;
import io.llmproxy.kernel.apikey.ApiKeyIssued;
import io.llmproxy.kernel.apikey.ApiKeyRevoked;
import io.llmproxy.kernel.apikey.ApiKeyRotated;
import io.llmproxy.kernel.apikey.IssueApiKey;
import io.llmproxy.kernel.apikey.RotateApiKey;
import io.llmproxy.kernel.quota.QuotaLimits;
import io.llmproxy.kernel.quota.QuotaPolicySet;
import io.llmproxy.kernel.quota.QuotaScope;
import io.llmproxy.kernel.quota.SetQuotaPolicy;
import io.llmproxy.kernel.tenant.ReactivateTenant;
import io.llmproxy.kernel.tenant.RenameTenant;
import io.llmproxy.kernel.tenant.SuspendTenant;
import io.llmproxy.kernel.tenant.TenantCreated;
import io.llmproxy.kernel.tenant.TenantReactivated;
import io.llmproxy.kernel.tenant.TenantRenamed;
import io.llmproxy.kernel.tenant.TenantSuspended;
import io.llmproxy.kernel.user.AddUser;
import io.llmproxy.kernel.user.ChangeUserRole;
import io.llmproxy.kernel.user.RemoveUser;
import io.llmproxy.kernel.user.UserAdded;
import io.llmproxy.kernel.user.UserRemoved;
import io.llmproxy.kernel.user.UserRole;
import io.llmproxy.kernel.user.UserRoleChanged;
import java.util.List;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tenancy commands of the tenant aggregate: rename, suspend, users, keys with options, rotation, quotas. */
class TenantLifecycleTest {

    private static final String H1 = "1".repeat(64);
    private static final String H2 = "2".repeat(64);
    private AggregateTestFixture<Tenant> fixture;
    private TenantCreated created;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(Tenant.class);
        created = new TenantCreated("t1", "Acme", fixture.currentTime());
    }

    @Test
    void renameSuspendAndReactivate() {
        fixture.given(created).when(new RenameTenant("t1", "Acme Corp"))
                .expectEvents(new TenantRenamed("t1", "Acme Corp", fixture.currentTime()));
        fixture.given(created).when(new RenameTenant("t1", "Acme")).expectNoEvents();
        fixture.given(created).when(new SuspendTenant("t1"))
                .expectEvents(new TenantSuspended("t1", fixture.currentTime()));
        fixture.given(created, new TenantSuspended("t1", fixture.currentTime())).when(new SuspendTenant("t1"))
                .expectNoEvents();
        fixture.given(created, new TenantSuspended("t1", fixture.currentTime())).when(new ReactivateTenant("t1"))
                .expectEvents(new TenantReactivated("t1", fixture.currentTime()));
        fixture.given(created).when(new ReactivateTenant("t1")).expectNoEvents();
    }

    @Test
    void addUserNormalisesTheEmailAndRefusesDuplicates() {
        fixture.given(created).when(new AddUser("t1", "u1", " Ada@Example.org ", UserRole.Developer))
                .expectEvents(new UserAdded("t1", "u1", "ada@example.org", UserRole.Developer, fixture.currentTime()));
        fixture.given(created, new UserAdded("t1", "u1", "ada@example.org", UserRole.Developer, fixture.currentTime()))
                .when(new AddUser("t1", "u2", "ADA@example.org", UserRole.Reader))
                .expectException(CommandRejected.class)
                .expectExceptionMessage("a user with e-mail ada@example.org already exists in this tenant");
        fixture.given(created).when(new AddUser("t1", "u1", "not-an-email", UserRole.Reader))
                .expectException(CommandRejected.class).expectExceptionMessage("email must be an e-mail address");
    }

    @Test
    void changeRoleAndRemoveUserRevokesTheKeysTheyOwn() {
        UserAdded ada = new UserAdded("t1", "u1", "ada@example.org", UserRole.Developer, fixture.currentTime());
        fixture.given(created, ada).when(new ChangeUserRole("t1", "u1", UserRole.TenantAdmin))
                .expectEvents(new UserRoleChanged("t1", "u1", UserRole.TenantAdmin, fixture.currentTime()));
        fixture.given(created, ada).when(new ChangeUserRole("t1", "u1", UserRole.Developer)).expectNoEvents();
        fixture.given(created).when(new ChangeUserRole("t1", "nope", UserRole.Reader))
                .expectException(CommandRejected.class);
        fixture.given(created, ada,
                        new ApiKeyIssued("t1", "k1", "ada's", H1, "llmp_111111", fixture.currentTime(), "u1", null, null),
                        new ApiKeyIssued("t1", "k2", "shared", H2, "llmp_222222", fixture.currentTime()))
                .when(new RemoveUser("t1", "u1"))
                .expectEvents(new ApiKeyRevoked("t1", "k1", fixture.currentTime()),
                        new UserRemoved("t1", "u1", fixture.currentTime()));
    }

    @Test
    void issueWithOwnerAllowedModelsAndExpiry() {
        UserAdded ada = new UserAdded("t1", "u1", "ada@example.org", UserRole.Developer, fixture.currentTime());
        var expires = fixture.currentTime().plusSeconds(3600);
        fixture.given(created, ada)
                .when(new IssueApiKey("t1", "k1", "ci", H1, "llmp_111111", "u1", List.of("gpt-4o-mini"), expires))
                .expectEvents(new ApiKeyIssued("t1", "k1", "ci", H1, "llmp_111111", fixture.currentTime(), "u1",
                        List.of("gpt-4o-mini"), expires));
        fixture.given(created)
                .when(new IssueApiKey("t1", "k1", "ci", H1, "llmp_111111", "u9", null, null))
                .expectException(CommandRejected.class).expectExceptionMessage("user u9 not found in this tenant");
        fixture.given(created)
                .when(new IssueApiKey("t1", "k1", "ci", H1, "llmp_111111", null, null, fixture.currentTime().minusSeconds(1)))
                .expectException(CommandRejected.class).expectExceptionMessage("expiresAt must be in the future");
        fixture.given(created)
                .when(new IssueApiKey("t1", "k1", "ci", H1, "llmp_111111", null, List.of(), null))
                .expectException(CommandRejected.class);
    }

    @Test
    void controlCharactersAndUnrepresentableInstantsNeverReachTheEventStore() {
        fixture.given(created).when(new RenameTenant("t1", "a\u0000b"))
                .expectException(CommandRejected.class).expectExceptionMessage("name must not contain control characters");
        fixture.given(created).when(new AddUser("t1", "u1", "a\u0000b@example.com", UserRole.Reader))
                .expectException(CommandRejected.class).expectExceptionMessage("email must not contain control characters");
        fixture.given(created)
                .when(new IssueApiKey("t1", "k1", "ci", H1, "llmp_111111", null, List.of("m\u0000"), null))
                .expectException(CommandRejected.class);
        fixture.given(created)
                .when(new IssueApiKey("t1", "k1", "ci", H1, "llmp_111111", null, null, java.time.Instant.parse("+300000-01-01T00:00:00Z")))
                .expectException(CommandRejected.class).expectExceptionMessage("expiresAt must be before the year 10000");
    }

    @Test
    void storeDownPolicyIsTenantLevelAndSpendLimitsAreBounded() {
        fixture.given(created).when(new SetQuotaPolicy("t1", QuotaScope.TENANT, "t1",
                        new QuotaLimits(null, null, null, null, null, null, null, "fail-open")))
                .expectEvents(new QuotaPolicySet("t1", QuotaScope.TENANT, "t1",
                        new QuotaLimits(null, null, null, null, null, null, null, "fail-open"), fixture.currentTime()));
        fixture.given(created).when(new SetQuotaPolicy("t1", QuotaScope.TENANT, "t1",
                        new QuotaLimits(null, null, null, null, null, null, null, "maybe")))
                .expectException(CommandRejected.class).expectExceptionMessage("whenQuotaStoreDown must be fail-closed or fail-open");
        fixture.given(created, new ApiKeyIssued("t1", "k1", "ci", H1, "llmp_111111", fixture.currentTime()))
                .when(new SetQuotaPolicy("t1", QuotaScope.API_KEY, "k1",
                        new QuotaLimits(null, null, null, null, null, null, null, "fail-open")))
                .expectException(CommandRejected.class).expectExceptionMessage("whenQuotaStoreDown is a tenant-level setting");
        fixture.given(created).when(new SetQuotaPolicy("t1", QuotaScope.TENANT, "t1",
                        new QuotaLimits(null, null, null, null, null, null, "1000000001", null)))
                .expectException(CommandRejected.class);
    }

    @Test
    void rotateKeepsTheOldSecretForTheGracePeriod() {
        ApiKeyIssued k1 = new ApiKeyIssued("t1", "k1", "ci", H1, "llmp_111111", fixture.currentTime());
        fixture.given(created, k1)
                .when(new RotateApiKey("t1", "k1", H2, "llmp_222222", 600))
                .expectEvents(new ApiKeyRotated("t1", "k1", H2, "llmp_222222", H1, fixture.currentTime().plusSeconds(600),
                        fixture.currentTime()));
        fixture.given(created, k1, new ApiKeyRevoked("t1", "k1", fixture.currentTime()))
                .when(new RotateApiKey("t1", "k1", H2, "llmp_222222", 600))
                .expectException(CommandRejected.class).expectExceptionMessage("API key k1 is revoked");
        fixture.given(created, k1)
                .when(new RotateApiKey("t1", "k1", H2, "llmp_222222", 604801))
                .expectException(CommandRejected.class);
    }

    @Test
    void quotaPoliciesAtEachLevelNeedAnExistingSubjectAndNonNegativeLimits() {
        QuotaLimits limits = new QuotaLimits(60L, null, 10_000L, null, null, 4L, "12.50");
        fixture.given(created).when(new SetQuotaPolicy("t1", QuotaScope.TENANT, "t1", limits))
                .expectEvents(new QuotaPolicySet("t1", QuotaScope.TENANT, "t1", limits, fixture.currentTime()));
        fixture.given(created, new ApiKeyIssued("t1", "k1", "ci", H1, "llmp_111111", fixture.currentTime()))
                .when(new SetQuotaPolicy("t1", QuotaScope.API_KEY, "k1", limits))
                .expectEvents(new QuotaPolicySet("t1", QuotaScope.API_KEY, "k1", limits, fixture.currentTime()));
        fixture.given(created).when(new SetQuotaPolicy("t1", QuotaScope.USER, "u9", limits))
                .expectException(CommandRejected.class).expectExceptionMessage("user u9 not found in this tenant");
        fixture.given(created).when(new SetQuotaPolicy("t1", QuotaScope.TENANT, "t1",
                        new QuotaLimits(-1L, null, null, null, null, null, null)))
                .expectException(CommandRejected.class).expectExceptionMessage("requestsPerMinute must be 0..1000000000000000");
        fixture.given(created).when(new SetQuotaPolicy("t1", QuotaScope.TENANT, "t1",
                        new QuotaLimits(null, null, null, null, null, null, "lots")))
                .expectException(CommandRejected.class);
    }
}
