package io.llmproxy.command.tenant;

import io.llmproxy.command.common.CommandRejected;
import io.llmproxy.kernel.apikey.ApiKeyIssued;
import io.llmproxy.kernel.apikey.ApiKeyRevoked;
import io.llmproxy.kernel.apikey.IssueApiKey;
import io.llmproxy.kernel.apikey.RevokeApiKey;
import io.llmproxy.kernel.tenant.CreateTenant;
import io.llmproxy.kernel.tenant.TenantCreated;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TenantAggregateTest {

    private static final String HASH = "a".repeat(64);
    private AggregateTestFixture<Tenant> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(Tenant.class);
    }

    @Test
    void createTenantEmitsTenantCreatedWithStrippedName() {
        fixture.givenNoPriorActivity()
                .when(new CreateTenant("t1", "  Acme  "))
                .expectSuccessfulHandlerExecution()
                .expectEvents(new TenantCreated("t1", "Acme", fixture.currentTime()));
    }

    @Test
    void createTenantWithBlankNameIsRefusedNamingTheField() {
        fixture.givenNoPriorActivity()
                .when(new CreateTenant("t1", " "))
                .expectException(CommandRejected.class)
                .expectExceptionMessage("name must not be blank")
                .expectNoEvents();
    }

    @Test
    void issueApiKeyEmitsOnlyTheHash() {
        fixture.given(new TenantCreated("t1", "Acme", fixture.currentTime()))
                .when(new IssueApiKey("t1", "k1", "ci", HASH, "llmp_abcdef"))
                .expectEvents(new ApiKeyIssued("t1", "k1", "ci", HASH, "llmp_abcdef", fixture.currentTime()));
    }

    @Test
    void issueApiKeyWithAMalformedHashIsRefused() {
        fixture.given(new TenantCreated("t1", "Acme", fixture.currentTime()))
                .when(new IssueApiKey("t1", "k1", "ci", "llmp_plainkey", "llmp_plaink"))
                .expectException(CommandRejected.class)
                .expectNoEvents();
    }

    @Test
    void issuingTheSameKeyIdTwiceIsAConflict() {
        fixture.given(new TenantCreated("t1", "Acme", fixture.currentTime()),
                        new ApiKeyIssued("t1", "k1", "ci", HASH, "llmp_abcdef", fixture.currentTime()))
                .when(new IssueApiKey("t1", "k1", "again", HASH, "llmp_abcdef"))
                .expectException(CommandRejected.class)
                .expectExceptionMessage("API key k1 already exists");
    }

    @Test
    void revokeActiveKeyEmitsApiKeyRevoked() {
        fixture.given(new TenantCreated("t1", "Acme", fixture.currentTime()),
                        new ApiKeyIssued("t1", "k1", "ci", HASH, "llmp_abcdef", fixture.currentTime()))
                .when(new RevokeApiKey("t1", "k1"))
                .expectEvents(new ApiKeyRevoked("t1", "k1", fixture.currentTime()));
    }

    @Test
    void revokeTwiceIsIdempotent() {
        fixture.given(new TenantCreated("t1", "Acme", fixture.currentTime()),
                        new ApiKeyIssued("t1", "k1", "ci", HASH, "llmp_abcdef", fixture.currentTime()),
                        new ApiKeyRevoked("t1", "k1", fixture.currentTime()))
                .when(new RevokeApiKey("t1", "k1"))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void revokeUnknownKeyIsNotFound() {
        fixture.given(new TenantCreated("t1", "Acme", fixture.currentTime()))
                .when(new RevokeApiKey("t1", "nope"))
                .expectException(CommandRejected.class)
                .expectExceptionMessage("API key nope not found in this tenant");
    }
}
