package io.llmproxy.query.config;

import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcSQLErrorCodesResolver;
import org.axonframework.serialization.Serializer;
import org.axonframework.config.Configuration;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.PostgresTokenTableFactory;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.PostgresEventTableFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;

/**
 * Axon on PostgreSQL for the projections: the JDBC storage engine (auto-configured by Axon),
 * an event store that polls for other processes' events every {@code eventFetchDelayMs}, and
 * the event and token tables created with Axon's own DDL when missing (ADR 0001).
 */
@org.springframework.context.annotation.Configuration
public class AxonQueryConfiguration {

    /** Axon's auto-configured JDBC engine backs off when an event store bean exists, so it is declared here. */
    @Bean
    public EventStorageEngine eventStorageEngine(Serializer defaultSerializer,
                                                 PersistenceExceptionResolver persistenceExceptionResolver,
                                                 @Qualifier("eventSerializer") Serializer eventSerializer,
                                                 Configuration configuration, ConnectionProvider connectionProvider,
                                                 TransactionManager transactionManager) {
        return JdbcEventStorageEngine.builder()
                .snapshotSerializer(defaultSerializer)
                .upcasterChain(configuration.upcasterChain())
                .persistenceExceptionResolver(persistenceExceptionResolver)
                .eventSerializer(eventSerializer)
                .snapshotFilter(configuration.snapshotFilter())
                .connectionProvider(connectionProvider)
                .transactionManager(transactionManager)
                .schema(new EventSchema())
                .build();
    }

    /**
     * The JDBC token store ({@code tokenentry}), declared here because Spring Data JPA (the admin lists,
     * ADR 0021) would otherwise make Axon choose its JPA token store, another table.
     */
    @Bean
    public TokenStore tokenStore(ConnectionProvider connectionProvider, Serializer defaultSerializer, ProjectionNode node) {
        return JdbcTokenStore.builder().connectionProvider(connectionProvider).serializer(defaultSerializer)
                .nodeId(node.id())
                .schema(org.axonframework.eventhandling.tokenstore.jdbc.TokenSchema.builder().build())
                .contentType(byte[].class).build();
    }

    /**
     * This instance's name in the token store ({@code LLMPROXY_NODE_ID}, else unique per start); a
     * configured name a live instance already uses stops the start ({@link io.llmproxy.query.segments.UniqueNode}).
     */
    @Bean
    public ProjectionNode projectionNode(@org.springframework.beans.factory.annotation.Value("${LLMPROXY_NODE_ID:}") String configured,
                                         org.springframework.jdbc.core.JdbcTemplate jdbc) {
        ProjectionNode node = ProjectionNode.of(configured);
        if (configured != null && !configured.isBlank()) {
            io.llmproxy.query.segments.UniqueNode.require(jdbc, node.id());
        }
        return node;
    }

    /**
     * Named in {@code axon.eventhandling.processors.*.sequencing-policy}: a tenant's events in one
     * segment, in order (ADR 0022).
     */
    @Bean
    public io.llmproxy.projection.support.TenantSequencingPolicy tenantSequencingPolicy() {
        return new io.llmproxy.projection.support.TenantSequencingPolicy();
    }

    @Bean
    public PersistenceExceptionResolver persistenceExceptionResolver() {
        return new JdbcSQLErrorCodesResolver();
    }

    @Bean(name = "eventBus")
    @Qualifier("eventStore")
    public EmbeddedEventStore eventStore(EventStorageEngine storageEngine, Configuration configuration,
                                         QuerySideProperties properties) {
        return EmbeddedEventStore.builder()
                .storageEngine(storageEngine)
                .messageMonitor(configuration.messageMonitor(EmbeddedEventStore.class, "eventStore"))
                .fetchDelay(properties.eventFetchDelayMs())
                .build();
    }

    @Bean
    InitializingBean axonSchema(EventStorageEngine engine, TokenStore tokenStore, TransactionManager tx) {
        return () -> tx.executeInTransaction(() -> {
            if (engine instanceof JdbcEventStorageEngine jdbc) {
                jdbc.createSchema(PostgresEventTableFactory.INSTANCE);
            }
            if (tokenStore instanceof JdbcTokenStore tokens) {
                tokens.createSchema(PostgresTokenTableFactory.INSTANCE);
            }
        });
    }
}
