package io.llmproxy.query.lists;

import io.llmproxy.query.lists.ReadModelRows.ProviderRow;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;
import org.springframework.data.repository.Repository;

/** The providers' read model, paged, sorted and filtered (Spring Data JPA); read-only: no save or delete. */
interface ProviderRows extends Repository<ProviderRow, String>, JpaSpecificationExecutor<ProviderRow> {
}
