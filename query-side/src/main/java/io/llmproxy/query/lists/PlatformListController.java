package io.llmproxy.query.lists;

import io.llmproxy.query.lists.ReadModelRows.ProviderRow;
import io.llmproxy.query.lists.ReadModelRows.RouteRow;
import io.llmproxy.query.lists.ReadModelRows.TenantRow;
import io.llmproxy.query.web.QueryRejected;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.springframework.data.domain.Page;
import org.springframework.data.jpa.domain.Specification;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Paged, sorted, filtered lists of tenants, providers and routes (issue #13, ADR 0021), from the read
 * models through Spring Data JPA. Paging: {@link ListPaging}. Who may call: {@code EndpointPermissions}
 * (the platform lists are PlatformAdmin's; a tenant's routes, its TenantAdmin's too).
 */
@RestController
@Transactional(readOnly = true)
class PlatformListController {

    /** A tenant: {@code status} {@code ACTIVE}/{@code SUSPENDED}. */
    record TenantItem(String tenantId, String name, String status, Instant createdAt) {
    }

    /** A provider: never its credentials. */
    record ProviderItem(String providerId, String name, String type, String baseUrl, Instant createdAt) {
    }

    /** A route: {@code tenantId} null for a global one; {@code targets} and {@code policy} as defined (ADR 0017). */
    record RouteItem(String routeId, String model, String tenantId, JsonNode targets, JsonNode policy, Instant updatedAt) {
    }

    private final TenantRows tenants;
    private final ProviderRows providers;
    private final RouteRows routes;
    private final JdbcClient jdbc;
    private final JsonMapper json;

    PlatformListController(TenantRows tenants, ProviderRows providers, RouteRows routes, JdbcClient jdbc, JsonMapper json) {
        this.tenants = tenants;
        this.providers = providers;
        this.routes = routes;
        this.jdbc = jdbc;
        this.json = json;
    }

    /**
     * {@code GET /admin/v1/tenants[?q=<name contains, case-insensitive>][&status=ACTIVE|SUSPENDED][&page][&size][&sort=name|createdAt|status|tenantId[,asc|desc]]}.
     *
     * @throws QueryRejected 400 for a bad status, page, size or sort
     */
    @GetMapping("/admin/v1/tenants")
    Map<String, Object> tenants(@RequestParam(required = false) String q, @RequestParam(required = false) String status,
                                @RequestParam(required = false) Integer page, @RequestParam(required = false) Integer size,
                                @RequestParam(required = false) String sort) {
        Specification<TenantRow> where = ListPaging.contains("name", q);
        if (status != null) {
            if (!status.equals("ACTIVE") && !status.equals("SUSPENDED")) {
                throw QueryRejected.badParameter("status", "status must be ACTIVE or SUSPENDED");
            }
            where = where.and((root, query, cb) -> cb.equal(root.get("status"), status));
        }
        Page<TenantRow> rows = tenants.findAll(where, ListPaging.request(page, size, sort,
                Set.of("name", "createdAt", "status", "tenantId"), "tenantId", "name"));
        return ListPaging.answer(rows, rows.map(t -> new TenantItem(t.tenantId, t.name, t.status, t.createdAt)).getContent());
    }

    /** {@code GET /admin/v1/providers[?q=<name contains>][&type=openai|…][&page][&size][&sort=name|type|createdAt|providerId]}. */
    @GetMapping("/admin/v1/providers")
    Map<String, Object> providers(@RequestParam(required = false) String q, @RequestParam(required = false) String type,
                                  @RequestParam(required = false) Integer page, @RequestParam(required = false) Integer size,
                                  @RequestParam(required = false) String sort) {
        Specification<ProviderRow> where = ListPaging.contains("name", q);
        if (type != null) {
            where = where.and((root, query, cb) -> cb.equal(root.get("type"), type));
        }
        Page<ProviderRow> rows = providers.findAll(where, ListPaging.request(page, size, sort,
                Set.of("name", "type", "createdAt", "providerId"), "providerId", "name"));
        return ListPaging.answer(rows, rows.map(p -> new ProviderItem(p.providerId, p.name, p.type, p.baseUrl, p.createdAt))
                .getContent());
    }

    /** {@code GET /admin/v1/routes[?q=<model contains>][&page][&size][&sort=model|updatedAt]}: the global routes. */
    @GetMapping("/admin/v1/routes")
    Map<String, Object> globalRoutes(@RequestParam(required = false) String q, @RequestParam(required = false) Integer page,
                                     @RequestParam(required = false) Integer size, @RequestParam(required = false) String sort) {
        return routes(null, q, page, size, sort);
    }

    /**
     * {@code GET /admin/v1/tenants/{tenantId}/routes[?q][&page][&size][&sort]}: the tenant's own routes.
     *
     * @throws QueryRejected 404 for an unknown tenant
     */
    @GetMapping("/admin/v1/tenants/{tenantId}/routes")
    Map<String, Object> tenantRoutes(@PathVariable String tenantId, @RequestParam(required = false) String q,
                                     @RequestParam(required = false) Integer page, @RequestParam(required = false) Integer size,
                                     @RequestParam(required = false) String sort) {
        if (jdbc.sql("SELECT count(*) FROM rm_tenant WHERE tenant_id = ?").param(tenantId).query(Long.class).single() == 0) {
            throw QueryRejected.notFound("tenantId", "tenant " + tenantId + " not found");
        }
        return routes(tenantId, q, page, size, sort);
    }

    private Map<String, Object> routes(String tenantId, String q, Integer page, Integer size, String sort) {
        Specification<RouteRow> where = ListPaging.<RouteRow>contains("model", q).and((root, query, cb) -> tenantId == null
                ? cb.isNull(root.get("tenantId")) : cb.equal(root.get("tenantId"), tenantId));
        Page<RouteRow> rows = routes.findAll(where, ListPaging.request(page, size, sort,
                Set.of("model", "updatedAt", "routeId"), "routeId", "model"));
        return ListPaging.answer(rows, rows.map(r -> new RouteItem(r.routeId, r.model, r.tenantId, tree(r.targets), tree(r.policy),
                r.updatedAt)).getContent());
    }

    private JsonNode tree(String jsonText) {
        return jsonText == null ? null : json.readTree(jsonText);
    }
}
