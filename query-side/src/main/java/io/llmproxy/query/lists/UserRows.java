package io.llmproxy.query.lists;

import io.llmproxy.query.lists.ReadModelRows.UserRow;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;
import org.springframework.data.repository.Repository;

/** The tenants' users read model, paged, sorted and filtered (Spring Data JPA); read-only: no save or delete. */
interface UserRows extends Repository<UserRow, String>, JpaSpecificationExecutor<UserRow> {
}
