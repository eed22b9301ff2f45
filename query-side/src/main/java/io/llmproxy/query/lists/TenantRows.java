package io.llmproxy.query.lists;

import io.llmproxy.query.lists.ReadModelRows.TenantRow;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;
import org.springframework.data.repository.Repository;

/** The tenants' read model, paged, sorted and filtered (Spring Data JPA); read-only: no save or delete. */
interface TenantRows extends Repository<TenantRow, String>, JpaSpecificationExecutor<TenantRow> {
}
