package io.llmproxy.edge.support;

import io.llmproxy.testsupport.LocalPostgres;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** A fresh database with the read-model schema, migrated by the projections' own Flyway scripts. */
public final class ReadModelDatabase {

    private ReadModelDatabase() {
    }

    /** @return the JDBC URL of a fresh, migrated database {@code name} */
    public static String create(String name) {
        String url = LocalPostgres.freshDatabase(name);
        Flyway.configure().dataSource(url, LocalPostgres.user(), LocalPostgres.password())
                .locations("classpath:db/migration/readmodel").table("flyway_readmodel_history").load().migrate();
        return url;
    }

    public static JdbcTemplate jdbc(String url) {
        return new JdbcTemplate(new DriverManagerDataSource(url, LocalPostgres.user(), LocalPostgres.password()));
    }
}
