package io.llmproxy.query.lists;

import io.llmproxy.query.lists.ReadModelRows.ApiKeyRow;
import io.llmproxy.query.lists.ReadModelRows.UserRow;
import io.llmproxy.query.web.QueryRejected;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
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
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * A tenant's users and API keys, paged, sorted and filtered (issue #13, ADR 0021) like every admin
 * list ({@link ListPaging}), each answer scoped to the path's tenant (every query filters on it) and
 * also naming it: {@code {"tenantId","items","page","sort"}}. Who may call: {@code EndpointPermissions}
 * (users: TenantAdmin, Auditor; keys: TenantAdmin, Auditor, a Developer with {@code ownerUserId} = itself).
 */
@RestController
@Transactional(readOnly = true)
class TenantListController {

    /**
     * A tenant user.
     *
     * @param role     {@code TenantAdmin}, {@code Developer}, {@code Reader}…
     * @param identity its Keycloak provisioning (issue #10): {@code {"state":"provisioned"|"disabled"|"failing"
     *                 |"conflict"|"external"|"rejected"|"not_provisioned","attempts","lastError","updatedAt"}};
     *                 {@code conflict}: the e-mail's Keycloak user is another tenant's, left alone (no role);
     *                 {@code external}: an existing Keycloak user LLM Proxy did not create, linked as it is;
     *                 {@code rejected}: Keycloak refused the user for good (its answer in {@code lastError})
     */
    record UserView(String userId, String email, String role, Instant createdAt, Instant removedAt,
                    Map<String, Object> identity) {
    }

    /**
     * One key as admins see it: never the key, never its hash.
     *
     * @param displayPrefix the first 11 characters of the key (e.g. {@code llmp_Ab3dEf})
     * @param status        {@code ACTIVE}, {@code REVOKED}, or {@code EXPIRED} (not revoked, {@code expiresAt} passed)
     */
    record ApiKeyView(String apiKeyId, String tenantId, String name, String displayPrefix, String status,
                      Instant createdAt, Instant revokedAt, String ownerUserId, List<String> allowedModels,
                      Instant expiresAt, Instant rotatedAt, Instant previousKeyValidUntil) {
    }

    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() { };

    private final UserRows users;
    private final ApiKeyRows keys;
    private final JdbcClient jdbc;
    private final JsonMapper json;

    TenantListController(UserRows users, ApiKeyRows keys, JdbcClient jdbc, JsonMapper json) {
        this.users = users;
        this.keys = keys;
        this.jdbc = jdbc;
        this.json = json;
    }

    /**
     * {@code GET /admin/v1/tenants/{tenantId}/users[?q=<email contains, case-insensitive>][&status=ACTIVE|REMOVED]
     * [&page][&size][&sort=createdAt|email|role|userId[,asc|desc]]} (default {@code createdAt,asc}) →
     * {@code {"tenantId","items":[UserView],"page","sort"}}; removed users are listed unless {@code status=ACTIVE}.
     *
     * @throws QueryRejected 400 for a bad q, status, page, size or sort; 404 for an unknown tenant
     */
    @GetMapping("/admin/v1/tenants/{tenantId}/users")
    Map<String, Object> users(@PathVariable String tenantId, @RequestParam(required = false) String q,
                              @RequestParam(required = false) String status, @RequestParam(required = false) Integer page,
                              @RequestParam(required = false) Integer size, @RequestParam(required = false) String sort) {
        Specification<UserRow> where = ListPaging.<UserRow>contains("email", q).and(ofTenant(tenantId));
        if (status != null) {
            where = where.and(switch (status) {
                case "ACTIVE" -> (root, query, cb) -> cb.isNull(root.get("removedAt"));
                case "REMOVED" -> (root, query, cb) -> cb.isNotNull(root.get("removedAt"));
                default -> throw QueryRejected.badParameter("status", "status must be ACTIVE or REMOVED");
            });
        }
        var request = ListPaging.request(page, size, sort, Set.of("createdAt", "email", "role", "userId"), "userId", "createdAt");
        requireTenant(tenantId);
        Page<UserRow> rows = users.findAll(where, request);
        Map<String, Map<String, Object>> identities = identities(tenantId, rows.map(u -> u.userId).getContent());
        return answer(tenantId, rows, rows.map(u -> new UserView(u.userId, u.email, u.role, u.createdAt, u.removedAt,
                identities.getOrDefault(u.userId, Map.of("state", "not_provisioned")))).getContent());
    }

    /**
     * {@code GET /admin/v1/tenants/{tenantId}/api-keys[?q=<name contains, case-insensitive>][&status=ACTIVE|REVOKED|EXPIRED]
     * [&ownerUserId=][&page][&size][&sort=createdAt|name|expiresAt|apiKeyId[,asc|desc]]} (default {@code createdAt,asc})
     * → {@code {"tenantId","items":[ApiKeyView],"page","sort"}}. {@code ownerUserId} keeps that owner's keys (how
     * a {@code Developer} lists its own). {@code EXPIRED}: not revoked and past {@code expiresAt} (now, at the read);
     * {@code ACTIVE}: neither.
     *
     * @throws QueryRejected 400 for a bad q, status, page, size or sort; 404 for an unknown tenant
     */
    @GetMapping("/admin/v1/tenants/{tenantId}/api-keys")
    Map<String, Object> apiKeys(@PathVariable String tenantId, @RequestParam(required = false) String q,
                                @RequestParam(required = false) String status, @RequestParam(required = false) String ownerUserId,
                                @RequestParam(required = false) Integer page, @RequestParam(required = false) Integer size,
                                @RequestParam(required = false) String sort) {
        Instant now = Instant.now();
        Specification<ApiKeyRow> where = ListPaging.<ApiKeyRow>contains("name", q).and(ofTenant(tenantId));
        if (ownerUserId != null) {
            where = where.and((root, query, cb) -> cb.equal(root.get("ownerUserId"), ownerUserId));
        }
        if (status != null) {
            Specification<ApiKeyRow> revoked = (root, query, cb) -> cb.equal(root.get("status"), "REVOKED");
            Specification<ApiKeyRow> expired = (root, query, cb) -> cb.and(cb.notEqual(root.get("status"), "REVOKED"),
                    cb.lessThanOrEqualTo(root.get("expiresAt"), now));
            where = where.and(switch (status) {
                case "REVOKED" -> revoked;
                case "EXPIRED" -> expired;
                case "ACTIVE" -> Specification.not(revoked).and((root, query, cb) -> cb.or(cb.isNull(root.get("expiresAt")),
                        cb.greaterThan(root.get("expiresAt"), now)));
                default -> throw QueryRejected.badParameter("status", "status must be ACTIVE, REVOKED or EXPIRED");
            });
        }
        var request = ListPaging.request(page, size, sort, Set.of("createdAt", "name", "expiresAt", "apiKeyId"), "apiKeyId",
                "createdAt");
        requireTenant(tenantId);
        Page<ApiKeyRow> rows = keys.findAll(where, request);
        return answer(tenantId, rows, rows.map(k -> new ApiKeyView(k.apiKeyId, k.tenantId, k.name, k.displayPrefix,
                statusAt(k, now), k.createdAt, k.revokedAt, k.ownerUserId,
                k.allowedModels == null ? null : json.readValue(k.allowedModels, STRINGS), k.expiresAt, k.rotatedAt,
                k.previousValidUntil)).getContent());
    }

    private static String statusAt(ApiKeyRow key, Instant now) {
        boolean expired = !"REVOKED".equals(key.status) && key.expiresAt != null && !key.expiresAt.isAfter(now);
        return expired ? "EXPIRED" : key.status;
    }

    /** @return rows of this tenant only: every query of this controller carries it */
    private static <T> Specification<T> ofTenant(String tenantId) {
        return (root, query, cb) -> cb.equal(root.get("tenantId"), tenantId);
    }

    private void requireTenant(String tenantId) {
        if (jdbc.sql("SELECT count(*) FROM rm_tenant WHERE tenant_id = ?").param(tenantId).query(Long.class).single() == 0) {
            throw QueryRejected.notFound("tenantId", "tenant " + tenantId + " not found");
        }
    }

    /** @return the Keycloak provisioning of these users of the tenant, by user id (absent: not provisioned) */
    private Map<String, Map<String, Object>> identities(String tenantId, List<String> userIds) {
        Map<String, Map<String, Object>> out = new HashMap<>();
        if (userIds.isEmpty()) {
            return out;
        }
        jdbc.sql("""
                        SELECT user_id, state, attempts, last_error, updated_at FROM identity_provisioning
                        WHERE tenant_id = ? AND user_id = ANY (?)""")
                .param(tenantId).param(userIds.toArray(String[]::new))
                .query(rs -> {
                    Map<String, Object> identity = new LinkedHashMap<>();
                    identity.put("state", rs.getString(2));
                    identity.put("attempts", rs.getInt(3));
                    identity.put("lastError", rs.getString(4));
                    Timestamp at = rs.getTimestamp(5);
                    identity.put("updatedAt", at.toInstant());
                    out.put(rs.getString(1), identity);
                });
        return out;
    }

    private static Map<String, Object> answer(String tenantId, Page<?> page, List<?> items) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tenantId", tenantId);
        out.putAll(ListPaging.answer(page, items));
        return out;
    }
}
