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

    /** Creates Axon's token store table {@code tokenentry} as query-side does (PostgresTokenTableFactory), if absent. */
    public static void createTokenStore(JdbcTemplate db) {
        db.execute("""
                CREATE TABLE IF NOT EXISTS tokenentry (processorname varchar(255) NOT NULL, segment integer NOT NULL,
                    token bytea, tokentype varchar(255), timestamp varchar(255), owner varchar(255),
                    PRIMARY KEY (processorname, segment))""");
    }
}
