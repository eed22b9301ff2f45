package io.llmproxy.query.lists;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * The read-model tables the admin lists page through, mapped read-only for Spring Data JPA (ADR 0021).
 * The projections write them with JDBC; these mappings never write (Hibernate {@link Immutable}). A
 * provider's credential columns and an API key's hashes are not mapped at all, so no list can ever
 * read them.
 */
final class ReadModelRows {

    private ReadModelRows() {
    }

    /** {@code rm_tenant}. */
    @Entity
    @Immutable
    @Table(name = "rm_tenant")
    static class TenantRow {
        @Id
        @Column(name = "tenant_id")
        String tenantId;
        String name;
        String status;
        @Column(name = "created_at")
        Instant createdAt;
    }

    /** {@code rm_provider}, without its ciphertexts. */
    @Entity
    @Immutable
    @Table(name = "rm_provider")
    static class ProviderRow {
        @Id
        @Column(name = "provider_id")
        String providerId;
        String name;
        String type;
        @Column(name = "base_url")
        String baseUrl;
        @Column(name = "created_at")
        Instant createdAt;
    }

    /** {@code rm_route}: a global route ({@code tenantId} null) or a tenant's own. */
    @Entity
    @Immutable
    @Table(name = "rm_route")
    static class RouteRow {
        @Id
        @Column(name = "route_id")
        String routeId;
        String model;
        @Column(name = "tenant_id")
        String tenantId;
        @JdbcTypeCode(SqlTypes.JSON)
        String targets;
        @JdbcTypeCode(SqlTypes.JSON)
        String policy;
        @Column(name = "updated_at")
        Instant updatedAt;
    }

    /** {@code rm_user}: a tenant's user; {@code removedAt} set once removed. */
    @Entity
    @Immutable
    @Table(name = "rm_user")
    static class UserRow {
        @Id
        @Column(name = "user_id")
        String userId;
        @Column(name = "tenant_id")
        String tenantId;
        String email;
        String role;
        @Column(name = "created_at")
        Instant createdAt;
        @Column(name = "removed_at")
        Instant removedAt;
    }

    /** {@code rm_api_key}, without its hashes; {@code status} as stored: {@code ACTIVE} or {@code REVOKED}. */
    @Entity
    @Immutable
    @Table(name = "rm_api_key")
    static class ApiKeyRow {
        @Id
        @Column(name = "api_key_id")
        String apiKeyId;
        @Column(name = "tenant_id")
        String tenantId;
        String name;
        @Column(name = "display_prefix")
        String displayPrefix;
        String status;
        @Column(name = "created_at")
        Instant createdAt;
        @Column(name = "revoked_at")
        Instant revokedAt;
        @Column(name = "owner_user_id")
        String ownerUserId;
        /** a JSON array of model names, or null (every model) */
        @Column(name = "allowed_models")
        @JdbcTypeCode(SqlTypes.JSON)
        String allowedModels;
        @Column(name = "expires_at")
        Instant expiresAt;
        @Column(name = "rotated_at")
        Instant rotatedAt;
        @Column(name = "previous_valid_until")
        Instant previousValidUntil;
    }
}
