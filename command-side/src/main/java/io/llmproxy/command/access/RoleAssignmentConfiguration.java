package io.llmproxy.command.access;

import io.llmproxy.command.common.Aggregates;
import io.llmproxy.command.tenant.Tenant;
import org.axonframework.modelling.command.Repository;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
class RoleAssignmentConfiguration {

    @Bean
    RoleAssignmentCommandHandler roleAssignmentCommandHandler(
            @Qualifier("roleAssignmentRepository") Repository<RoleAssignment> assignments,
            @Qualifier("tenantRepository") Repository<Tenant> tenants) {
        return new RoleAssignmentCommandHandler(assignments, id -> Aggregates.exists(tenants, id));
    }
}
