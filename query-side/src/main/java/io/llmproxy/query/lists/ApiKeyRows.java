package io.llmproxy.query.lists;

import io.llmproxy.query.lists.ReadModelRows.ApiKeyRow;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;
import org.springframework.data.repository.Repository;

/** The tenants' API keys read model, paged, sorted and filtered (Spring Data JPA); read-only: no save or delete. */
interface ApiKeyRows extends Repository<ApiKeyRow, String>, JpaSpecificationExecutor<ApiKeyRow> {
}
