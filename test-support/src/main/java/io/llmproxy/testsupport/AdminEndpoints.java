package io.llmproxy.testsupport;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Every endpoint an admin app maps, read from its {@link RequestMappingHandlerMapping} at test
 * time (so a new endpoint is covered without editing the test), with a concrete path (each
 * {@code {variable}} filled in) and, for a {@code @RequestBody}, a plausible JSON body built from
 * the body's record type.
 */
public final class AdminEndpoints {

    /** One method and concrete path; {@code body} is null when the endpoint reads none. */
    public record Endpoint(String method, String pattern, String path, String body, Type bodyType) {
        @Override
        public String toString() {
            return method + " " + pattern;
        }
    }

    private AdminEndpoints() {
    }

    /** @return every (method, pattern) of {@code mapping}, sorted; a mapping with no method counts as GET */
    public static List<Endpoint> of(RequestMappingHandlerMapping mapping) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> e : mapping.getHandlerMethods().entrySet()) {
            RequestMappingInfo info = e.getKey();
            List<String> methods = info.getMethodsCondition().getMethods().stream().map(RequestMethod::name).toList();
            Type bodyType = bodyType(e.getValue());
            String body = bodyType == null ? null : json(bodyType);
            for (String pattern : info.getPatternValues()) {
                for (String method : methods.isEmpty() ? List.of("GET") : methods) {
                    endpoints.add(new Endpoint(method, pattern, fill(pattern), body, bodyType));
                }
            }
        }
        endpoints.sort(Comparator.comparing(Endpoint::toString));
        return endpoints;
    }

    /** {@code /a/{x}/b/{*rest}} → {@code /a/x1/b/m1} */
    static String fill(String pattern) {
        return pattern.replaceAll("\\{\\*[^}]+}", "m1").replaceAll("\\{[^}]+}", "x1");
    }

    private static Type bodyType(HandlerMethod handler) {
        for (MethodParameter parameter : handler.getMethodParameters()) {
            if (parameter.hasParameterAnnotation(RequestBody.class)) {
                return parameter.getGenericParameterType();
            }
        }
        return null;
    }

    /** A body whose list field {@code field} holds a null element, and the JSON path of that element. */
    public record NullElement(Endpoint endpoint, String field, String body) {
        @Override
        public String toString() {
            return endpoint + " " + field;
        }
    }

    /**
     * @return for every list-typed field of {@code endpoint}'s body record: the plausible body with
     *         that list set to {@code [<plausible element>, null]}, expecting a 400 naming {@code field[1]}
     */
    public static List<NullElement> nullElements(Endpoint endpoint) {
        List<NullElement> cases = new ArrayList<>();
        if (!(endpoint.bodyType() instanceof Class<?> c) || !c.isRecord()) {
            return cases;
        }
        RecordComponent[] components = c.getRecordComponents();
        for (RecordComponent list : components) {
            if (!(list.getGenericType() instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw
                    && java.util.Collection.class.isAssignableFrom(raw))) {
                continue;
            }
            StringBuilder out = new StringBuilder("{");
            for (RecordComponent component : components) {
                if (out.length() > 1) {
                    out.append(',');
                }
                String value = component == list ? "[" + json(p.getActualTypeArguments()[0]) + ",null]"
                        : json(component.getGenericType());
                out.append('"').append(component.getName()).append("\":").append(value);
            }
            cases.add(new NullElement(endpoint, list.getName() + "[1]", out.append('}').toString()));
        }
        return cases;
    }

    /** A plausible JSON value of {@code type}: records field by field, lists of one element. */
    static String json(Type type) {
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw
                && java.util.Collection.class.isAssignableFrom(raw)) {
            return "[" + json(p.getActualTypeArguments()[0]) + "]";
        }
        if (!(type instanceof Class<?> c)) {
            return "\"x\"";
        }
        if (c.isRecord()) {
            StringBuilder out = new StringBuilder("{");
            for (RecordComponent component : c.getRecordComponents()) {
                if (out.length() > 1) {
                    out.append(',');
                }
                out.append('"').append(component.getName()).append("\":").append(json(component.getGenericType()));
            }
            return out.append('}').toString();
        }
        if (c.isEnum()) {
            return "\"" + ((Enum<?>) c.getEnumConstants()[0]).name() + "\"";
        }
        if (c == Long.class || c == long.class || c == Integer.class || c == int.class) {
            return "1";
        }
        if (c == Boolean.class || c == boolean.class) {
            return "true";
        }
        if (c == java.math.BigDecimal.class) {
            return "\"1.50\"";
        }
        if (c == java.time.Instant.class) {
            return "\"2030-01-01T00:00:00Z\"";
        }
        return "\"x\"";
    }

    /** @return the {@code @RequestBody} record types of {@code mapping}'s handlers (for null-element tables) */
    public static List<Class<?>> bodyTypes(RequestMappingHandlerMapping mapping) {
        List<Class<?>> types = new ArrayList<>();
        for (HandlerMethod handler : mapping.getHandlerMethods().values()) {
            for (MethodParameter parameter : handler.getMethodParameters()) {
                if (parameter.hasParameterAnnotation(RequestBody.class) && !types.contains(parameter.getParameterType())) {
                    types.add(parameter.getParameterType());
                }
            }
        }
        types.sort(Comparator.comparing(Class::getName));
        return types;
    }

}
