package io.llmproxy.adminweb;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Input validation of the request's {@code Content-Type} before any handler reads a body: a
 * value that does not parse, a wildcard ({@code *}/{@code *}, {@code application/*}; a request
 * body has one concrete type) or a charset the JVM does not know ({@code charset=bogus}) is
 * refused with 415 problem JSON, {@code code} {@code unsupported_media_type}. Concrete types other
 * than JSON are refused the same way by {@link CommonProblemHandler} when a handler reads a body.
 */
public class RequestMediaType implements HandlerInterceptor {

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) throws Exception {
        String header = request.getHeader("Content-Type");
        if (header == null) {
            return true;
        }
        String problem = problemOf(header);
        if (problem == null) {
            return true;
        }
        response.setHeader("Accept", MediaType.APPLICATION_JSON_VALUE);
        ProblemWriter.write(response, 415, "unsupported_media_type", null,
                problem + "; send the body as application/json (Content-Type: application/json)");
        return false;
    }

    /** @return what is wrong with the {@code Content-Type} value, or null when it is a concrete, known type */
    static String problemOf(String header) {
        MediaType type;
        try {
            type = MediaType.parseMediaType(header);
        } catch (InvalidMediaTypeException e) {
            return "Content-Type does not parse as a media type";
        }
        if (type.isWildcardType() || type.isWildcardSubtype()) {
            return "Content-Type must not be a wildcard";
        }
        try {
            type.getCharset();
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            return "Content-Type names an unknown charset";
        }
        return null;
    }
}
