package io.llmproxy.query.lists;

import io.llmproxy.query.lists.ReadModelRows.RouteRow;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;
import org.springframework.data.repository.Repository;

/** The routes' read model, paged, sorted and filtered (Spring Data JPA); read-only: no save or delete. */
interface RouteRows extends Repository<RouteRow, String>, JpaSpecificationExecutor<RouteRow> {
}
