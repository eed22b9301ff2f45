package io.llmproxy.command.tenant;

import io.llmproxy.kernel.audit.AuditContentPolicySet;
import io.llmproxy.kernel.audit.SetAuditContentPolicy;
import io.llmproxy.kernel.tenant.TenantCreated;
import java.time.Instant;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The audit content opt-in: off by default, an event on each change, nothing on a repeat. */
class AuditContentPolicyAggregateTest {

    private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
    private AggregateTestFixture<Tenant> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(Tenant.class);
    }

    @Test
    void optingInEmitsTheEvent() {
        fixture.given(new TenantCreated("t1", "Acme", T0))
                .when(new SetAuditContentPolicy("t1", true))
                .expectEvents(new AuditContentPolicySet("t1", true, fixture.currentTime()));
    }

    @Test
    void optingOutWhenNeverOptedInChangesNothing() {
        fixture.given(new TenantCreated("t1", "Acme", T0))
                .when(new SetAuditContentPolicy("t1", false))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void aRepeatedOptInChangesNothingAndOptingOutIsRecorded() {
        fixture.given(new TenantCreated("t1", "Acme", T0), new AuditContentPolicySet("t1", true, T0))
                .when(new SetAuditContentPolicy("t1", true))
                .expectNoEvents();
        fixture.given(new TenantCreated("t1", "Acme", T0), new AuditContentPolicySet("t1", true, T0))
                .when(new SetAuditContentPolicy("t1", false))
                .expectEvents(new AuditContentPolicySet("t1", false, fixture.currentTime()));
    }
}
