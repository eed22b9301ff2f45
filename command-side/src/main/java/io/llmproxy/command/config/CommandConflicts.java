package io.llmproxy.command.config;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.axonframework.commandhandling.CommandBus;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.commandhandling.gateway.DefaultCommandGateway;
import org.axonframework.commandhandling.gateway.ExponentialBackOffIntervalRetryScheduler;
import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * How two command-side instances that handle commands for the same aggregate at the same moment
 * are resolved (ADR 0015). Each instance locks an aggregate only inside its own JVM; across
 * instances the event store's unique (aggregate id, sequence number) constraint decides.
 *
 * <ul>
 *   <li>{@link #persistenceExceptionResolver()}: the JDBC event store reports that constraint's
 *       violation (SQL state 23505) as Axon's {@code ConcurrencyException} (a transient
 *       exception; {@code AggregateStreamCreationException} for a second creation) instead of a
 *       generic {@code EventStoreException}. The losing unit of work is rolled back whole: no
 *       event of it is stored.</li>
 *   <li>{@link #commandGateway}: the gateway retries a command that lost such a race (and only
 *       that: a store outage or a refusal is answered at once), reloading the aggregate each time (4 retries, 20 ms backing off exponentially
 *       with factor 2: 20, 40, 80, 160 ms). The aggregate's own rules then decide again against
 *       the winner's events, so an idempotent command answers as a repeat and a conflicting one
 *       as the conflict it is.</li>
 *   <li>A command still losing after the retries is answered 409 {@code concurrent_modification}
 *       problem JSON by {@code AdminErrorHandler}; never 500.</li>
 * </ul>
 */
@Configuration
public class CommandConflicts {

    /** Retries after the first attempt when the event store reports a concurrent write. */
    public static final int MAX_RETRIES = 4;

    /**
     * Axon's {@code JdbcSQLErrorCodesResolver} only knows {@code SQLIntegrityConstraintViolationException},
     * which the PostgreSQL driver never throws, and {@code SQLErrorCodesResolver} reads vendor error
     * codes, which PostgreSQL leaves at 0. PostgreSQL reports a unique violation as SQL state
     * {@code 23505} (PostgreSQL manual, Appendix A "PostgreSQL Error Codes"), possibly as the next
     * exception of a {@link java.sql.BatchUpdateException} (the JDBC engine appends events in a batch).
     */
    @Bean
    public PersistenceExceptionResolver persistenceExceptionResolver() {
        return CommandConflicts::isUniqueViolation;
    }

    /**
     * @return true when {@code failure} or one of its causes is a lost race for an aggregate:
     *         Axon's {@code ConcurrencyException} (a later event of an existing aggregate) or
     *         {@code AggregateStreamCreationException} (a second creation of the same id)
     */
    public static boolean isConcurrencyConflict(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.axonframework.modelling.command.ConcurrencyException
                    || t instanceof org.axonframework.modelling.command.AggregateStreamCreationException) {
                return true;
            }
        }
        return false;
    }

    static boolean isUniqueViolation(Exception exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            for (java.sql.SQLException s = t instanceof java.sql.SQLException e ? e : null; s != null; s = s.getNextException()) {
                if ("23505".equals(s.getSQLState())) {
                    return true;
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    @Bean(destroyMethod = "shutdown")
    ScheduledExecutorService commandRetryExecutor() {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "command-retry");
            t.setDaemon(true);
            return t;
        });
    }

    @Bean
    public CommandGateway commandGateway(CommandBus commandBus, ScheduledExecutorService commandRetryExecutor) {
        return DefaultCommandGateway.builder()
                .commandBus(commandBus)
                .retryScheduler(ExponentialBackOffIntervalRetryScheduler.builder()
                        .retryExecutor(commandRetryExecutor)
                        .backoffFactor(20)
                        .maxRetryCount(MAX_RETRIES)
                        // only a lost race is worth repeating at once; anything else (PostgreSQL
                        // down, a rule refusing the command) answers at once, without retries
                        .nonTransientFailurePredicate(failure -> !isConcurrencyConflict(failure))
                        .build())
                .build();
    }
}
