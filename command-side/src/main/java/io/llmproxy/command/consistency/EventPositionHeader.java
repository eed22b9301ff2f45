package io.llmproxy.command.consistency;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Read your own writes (ADR 0020): every successful ({@code 2xx}) {@code POST}, {@code PUT},
 * {@code PATCH} or {@code DELETE} answer of the admin API carries {@value #HEADER}: the event store's
 * head (its largest {@code global_index}) once the command's events were committed, a position at or
 * after the command's last event. A read on the query side that sends it back as
 * {@code LLMProxy-Min-Position} is answered only once the read models have passed it.
 *
 * <p>The header is set as the response is about to commit (first body write, a flush, or the end of
 * the request), so it is read after the controller ran, i.e. after the command's transaction
 * committed. Reads ({@code GET}) and failures get no header. Cost: one index-only {@code max()} per
 * command.
 */
public class EventPositionHeader extends OncePerRequestFilter {

    /** The response header: a decimal event position, e.g. {@code 1234}. */
    public static final String HEADER = "LLMProxy-Event-Position";

    private final JdbcTemplate jdbc;

    public EventPositionHeader(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return switch (request.getMethod()) {
            case "POST", "PUT", "PATCH", "DELETE" -> false;
            default -> true;
        };
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Stamping stamping = new Stamping(response);
        chain.doFilter(request, stamping);
        stamping.stamp();
    }

    /** @return the event store's head: its largest global index, 0 when it is empty */
    long head() {
        Long max = jdbc.queryForObject("SELECT max(globalindex) FROM domainevententry", Long.class);
        return max == null ? 0 : max;
    }

    /** Sets the header once, just before the response commits, when the status is 2xx. */
    private final class Stamping extends HttpServletResponseWrapper {

        private boolean stamped;

        Stamping(HttpServletResponse response) {
            super(response);
        }

        void stamp() {
            if (stamped || isCommitted()) {
                return;
            }
            stamped = true;
            int status = getStatus();
            if (status >= 200 && status < 300) {
                setHeader(HEADER, Long.toString(head()));
            }
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            stamp();
            return super.getOutputStream();
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            stamp();
            return super.getWriter();
        }

        @Override
        public void flushBuffer() throws IOException {
            stamp();
            super.flushBuffer();
        }
    }
}
