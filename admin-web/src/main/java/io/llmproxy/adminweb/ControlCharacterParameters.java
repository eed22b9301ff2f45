package io.llmproxy.adminweb;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Input validation (not authentication; it runs after Spring Security admitted the request):
 * a query parameter whose name or value holds a control character is refused with 400 problem
 * JSON naming the parameter ({@code code} {@code invalid_<name>}, {@code field} {@code <name>}).
 * PostgreSQL refuses NUL in text, and no id, filter or name of ours holds control characters.
 */
public class ControlCharacterParameters implements HandlerInterceptor {

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) throws Exception {
        String bad = controlCharacterParameter(request);
        if (bad == null) {
            return true;
        }
        ProblemWriter.write(response, 400, "invalid_" + bad, bad, "query parameter " + bad + " must not contain control characters");
        return false;
    }

    /**
     * @return the name of the first query parameter whose name or value holds a control character
     *         (U+0000..U+001F, U+007F..U+009F), reduced to letters, digits and {@code _}, or null
     */
    static String controlCharacterParameter(HttpServletRequest request) {
        for (Map.Entry<String, String[]> e : request.getParameterMap().entrySet()) {
            boolean bad = e.getKey().chars().anyMatch(Character::isISOControl);
            for (String v : e.getValue()) {
                bad |= v != null && v.chars().anyMatch(Character::isISOControl);
            }
            if (bad) {
                String name = e.getKey().replaceAll("[^A-Za-z0-9_]", "");
                return name.isEmpty() ? "parameter" : name;
            }
        }
        return null;
    }
}
