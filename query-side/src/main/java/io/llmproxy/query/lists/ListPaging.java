package io.llmproxy.query.lists;

import io.llmproxy.query.web.QueryRejected;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.data.jpa.domain.Specification;

/**
 * The paging contract of every admin list (ADR 0021): {@code page} (0-based, default 0, at most
 * {@value #MAX_PAGE}), {@code size} (default {@value #DEFAULT_SIZE}, 1..{@value #MAX_SIZE}) and
 * {@code sort} ({@code <field>} or {@code <field>,asc|desc}, a field the endpoint allows; ties broken
 * by the row's id). Answers {@code {"items":[…],"page":{"number","size","totalElements","totalPages"},"sort"}}.
 * Anything else is 400 problem JSON naming the parameter.
 */
public final class ListPaging {

    public static final int DEFAULT_SIZE = 50;
    public static final int MAX_SIZE = 200;
    public static final int MAX_PAGE = 100_000;

    private ListPaging() {
    }

    /**
     * @param allowed fields {@code sort} may name (API names, equal to the entity's property names)
     * @param id      the entity's id property (the last sort key, for a stable order)
     * @param byDefault the default sort field (ascending)
     * @throws QueryRejected 400 {@code page}, {@code size} or {@code sort} out of bounds or unknown
     */
    static PageRequest request(Integer page, Integer size, String sort, Set<String> allowed, String id, String byDefault) {
        int number = page == null ? 0 : page;
        int rows = size == null ? DEFAULT_SIZE : size;
        if (number < 0 || number > MAX_PAGE) {
            throw QueryRejected.badParameter("page", "page must be between 0 and " + MAX_PAGE);
        }
        if (rows < 1 || rows > MAX_SIZE) {
            throw QueryRejected.badParameter("size", "size must be between 1 and " + MAX_SIZE);
        }
        String field = byDefault;
        Sort.Direction direction = Sort.Direction.ASC;
        if (sort != null) {
            String[] parts = sort.split(",", -1);
            field = parts[0].strip();
            if (parts.length > 2 || !allowed.contains(field)) {
                throw QueryRejected.badParameter("sort", "sort must be one of " + String.join(", ", allowed.stream().sorted().toList())
                        + ", optionally followed by ,asc or ,desc");
            }
            if (parts.length == 2) {
                String dir = parts[1].strip().toLowerCase(java.util.Locale.ROOT);
                if (!dir.equals("asc") && !dir.equals("desc")) {
                    throw QueryRejected.badParameter("sort", "sort direction must be asc or desc");
                }
                direction = dir.equals("desc") ? Sort.Direction.DESC : Sort.Direction.ASC;
            }
        }
        Sort order = Sort.by(direction, field);
        if (!field.equals(id)) {
            order = order.and(Sort.by(direction, id));
        }
        return PageRequest.of(number, rows, order);
    }

    /** @return the list's answer: its items, the page and the sort applied */
    static Map<String, Object> answer(Page<?> page, List<?> items) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("items", items);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("number", page.getNumber());
        meta.put("size", page.getSize());
        meta.put("totalElements", page.getTotalElements());
        meta.put("totalPages", page.getTotalPages());
        out.put("page", meta);
        Sort.Order first = page.getSort().iterator().next();
        out.put("sort", first.getProperty() + "," + first.getDirection().name().toLowerCase(java.util.Locale.ROOT));
        return out;
    }

    /** @return rows whose {@code field} contains {@code text} (case-insensitive, {@code %} and {@code _} literal); all for null */
    static <T> Specification<T> contains(String field, String text) {
        if (text == null || text.isBlank()) {
            return (root, query, cb) -> cb.conjunction();
        }
        if (text.length() > 200) {
            throw QueryRejected.badParameter("q", "q must be at most 200 characters");
        }
        String pattern = "%" + text.toLowerCase(java.util.Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        return (root, query, cb) -> cb.like(cb.lower(root.get(field)), pattern, '\\');
    }
}
