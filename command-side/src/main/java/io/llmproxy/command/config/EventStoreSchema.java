package io.llmproxy.command.config;

import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.PostgresEventTableFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

/**
 * Creates Axon's event store tables ({@code domainevententry}, {@code snapshotevententry}) with
 * Axon's own PostgreSQL DDL ({@code CREATE TABLE IF NOT EXISTS}), so that the schema is exactly
 * what the JDBC storage engine expects. See ADR 0001.
 */
@Component
class EventStoreSchema implements InitializingBean {

    private final EventStorageEngine engine;
    private final TransactionManager transactionManager;

    EventStoreSchema(EventStorageEngine engine, TransactionManager transactionManager) {
        this.engine = engine;
        this.transactionManager = transactionManager;
    }

    @Override
    public void afterPropertiesSet() {
        transactionManager.executeInTransaction(() -> {
            if (engine instanceof JdbcEventStorageEngine jdbc) {
                jdbc.createSchema(PostgresEventTableFactory.INSTANCE);
            }
        });
    }
}
