package io.llmproxy.adminweb;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes an RFC 9457 problem ({@code application/problem+json}, the same members as
 * {@link Problems}) straight to a servlet response, for the places that answer before or
 * outside Spring MVC: the security filter chain, the request firewall, interceptors, exception
 * resolvers, the error controller and Tomcat's error report valve.
 */
public final class ProblemWriter {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ProblemWriter() {
    }

    /**
     * @return the problem JSON: {@code {"type","title","status","detail","code"[,"field"]}}
     */
    public static String json(int status, String code, String field, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "https://llmproxy.io/problems/" + code.replaceAll("[^A-Za-z0-9_.-]", "_"));
        HttpStatus known = HttpStatus.resolve(status);
        body.put("title", known == null ? "Error" : known.getReasonPhrase());
        body.put("status", status);
        body.put("detail", detail);
        body.put("code", code);
        if (field != null) {
            body.put("field", field);
        }
        return JSON.writeValueAsString(body);
    }

    /**
     * Sets the status, {@code Content-Type: application/problem+json;charset=UTF-8} and writes the
     * problem body (nothing when the response is already committed).
     */
    public static void write(HttpServletResponse response, int status, String code, String field, String detail)
            throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.setStatus(status);
        response.setContentType("application/problem+json");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(json(status, code, field, detail));
        response.getWriter().flush();
    }
}
