package io.llmproxy.command.autoconfigure;

import org.axonframework.springboot.autoconfig.JdbcAutoConfiguration;
import org.axonframework.springboot.autoconfig.TransactionAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;

/**
 * Orders Axon 4's JDBC and transaction auto-configuration after Spring Boot 4's DataSource and
 * transaction manager. Axon 4.13 names Boot 3's class names in its ordering, which moved in
 * Boot 4; without this its {@code @ConditionalOnBean(DataSource.class)} is evaluated too early
 * and Axon silently falls back to an in-memory event store. Empty on purpose.
 */
@AutoConfiguration(after = {DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class},
        before = {JdbcAutoConfiguration.class, TransactionAutoConfiguration.class})
public class AxonJdbcOrdering {
}
