package io.llmproxy.adminweb;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

/**
 * Turns "PostgreSQL cannot be reached" into 503 problem JSON, {@code code} {@value #CODE},
 * {@code Retry-After: }{@value #RETRY_AFTER_SECONDS} (seconds), instead of a 500. It runs before
 * every other exception resolver and looks at the whole cause chain, so Axon's wrappers
 * ({@code EventStoreException}, {@code JdbcException}, {@code CommandExecutionException}) around a
 * Spring or JDBC failure are recognised too. The kind: Spring's
 * {@link DataAccessResourceFailureException} (and {@code CannotGetJdbcConnectionException}),
 * {@link TransientDataAccessResourceException}, {@link CannotCreateTransactionException}; JDBC's
 * {@link SQLTransientConnectionException} (Hikari's "connection is not available" after
 * {@code connection-timeout}), {@link SQLNonTransientConnectionException}, any {@link SQLException}
 * of SQLSTATE class {@code 08} (connection exception) or {@code 57P} (server shutting down), or
 * caused by an I/O error, or thrown by Hikari for a connection it already evicted; and a refused
 * TCP connect.
 */
public class StoreUnavailable implements HandlerExceptionResolver {

    /** Problem code of the 503. */
    public static final String CODE = "store_unavailable";
    /** Seconds a client should wait before retrying. */
    public static final int RETRY_AFTER_SECONDS = 5;

    private static final Logger log = LoggerFactory.getLogger(StoreUnavailable.class);

    @Override
    public ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response, Object handler,
                                         Exception ex) {
        if (!isStoreUnavailable(ex) || response.isCommitted()) {
            return null;
        }
        log.warn("PostgreSQL unavailable for {} {}: {}", request.getMethod(), request.getRequestURI(), rootMessage(ex));
        try {
            response.setHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
            ProblemWriter.write(response, 503, CODE, null,
                    "the configuration store (PostgreSQL) is unavailable; nothing was changed, retry later");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ModelAndView();
    }

    /** @return true when {@code error} or one of its causes says the database cannot be reached */
    public static boolean isStoreUnavailable(Throwable error) {
        int depth = 0;
        for (Throwable t = error; t != null && depth < 32; t = t.getCause(), depth++) {
            if (t instanceof DataAccessResourceFailureException || t instanceof TransientDataAccessResourceException
                    || t instanceof CannotCreateTransactionException || t instanceof SQLTransientConnectionException
                    || t instanceof SQLNonTransientConnectionException || t instanceof ConnectException) {
                return true;
            }
            if (t instanceof SQLException sql && (sql instanceof java.sql.SQLRecoverableException
                    || sql.getSQLState() != null && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))
                    || sql.getCause() instanceof java.io.IOException || isClosedPooledConnection(sql))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Hikari's stand-in for a connection it evicted (after an I/O failure) throws a plain
     * {@code SQLException("Connection is closed")} without SQLSTATE; code still holding the old
     * connection (Axon's unit of work) then fails with it instead of the original 08006.
     */
    private static boolean isClosedPooledConnection(SQLException sql) {
        StackTraceElement[] stack = sql.getStackTrace();
        return stack.length > 0 && stack[0].getClassName().startsWith("com.zaxxer.hikari.pool.ProxyConnection$ClosedConnection");
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
