package io.llmproxy.projection.audit;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The canonical JSON text the audit hash is computed over. Pure.
 *
 * <ul>
 *   <li>object members sorted by name, comparing UTF-16 code units ({@link String#compareTo}),
 *       as in RFC 8785 (JCS) §3.2.3; members whose value is null are kept (written {@code null});</li>
 *   <li>no whitespace anywhere; arrays keep their order;</li>
 *   <li>strings as Jackson writes them: UTF-8, only {@code "}, {@code \} and U+0000..U+001F
 *       escaped ({@code \n}, {@code \t}, … or {@code \\u} and four hex digits), everything else literal;</li>
 *   <li>numbers as their shortest decimal text (the audit data holds integers only), booleans
 *       {@code true}/{@code false}.</li>
 * </ul>
 * For the value domain of the audit log (strings, integers, booleans, null, arrays, objects) the
 * output equals RFC 8785's. Source: https://www.rfc-editor.org/rfc/rfc8785
 */
public final class CanonicalJson {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private CanonicalJson() {
    }

    /** @return the canonical text of {@code node} (a Java null is the JSON {@code null}) */
    public static String of(JsonNode node) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = MAPPER.createGenerator(out)) {
            write(g, node);
        }
        return out.toString();
    }

    /**
     * The canonical text of a flat object — what {@link #of} gives for the tree Jackson reads from
     * {@code fields} serialized — written in one pass, without a tree (the usage consumer's audit
     * data, issue #16).
     *
     * @param fields members in name order; values String, Integer, Long, Boolean or null only
     * @return the canonical text, or null when a value is of another type or the text holds an
     *         escaped U+0000 (callers then take the tree path, which also cleans U+0000)
     */
    public static String ofFlat(java.util.SortedMap<String, Object> fields) {
        if (fields.comparator() != null) {
            return null;
        }
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = MAPPER.createGenerator(out)) {
            g.writeStartObject();
            for (Map.Entry<String, Object> member : fields.entrySet()) {
                g.writeName(member.getKey());
                Object v = member.getValue();
                if (v == null) {
                    g.writeNull();
                } else if (v instanceof String text) {
                    g.writeString(text);
                } else if (v instanceof Long || v instanceof Integer) {
                    g.writeNumber(((Number) v).longValue());
                } else if (v instanceof Boolean b) {
                    g.writeBoolean(b);
                } else {
                    return null;
                }
            }
            g.writeEndObject();
        }
        String text = out.toString();
        return text.contains("\\u0000") ? null : text;
    }

    /**
     * @return the canonical text of a row object whose members are the given strings (null written
     *         as null), {@code seq} and {@code data} (already canonical text), in name order
     */
    static String row(String actor, String apiKeyId, String canonicalData, String eventId, String eventType,
                      String occurredAt, long seq, String source, String tenantId) {
        StringWriter out = new StringWriter(canonicalData.length() + 256);
        try (JsonGenerator g = MAPPER.createGenerator(out)) {
            g.writeStartObject();
            nameAndString(g, "actor", actor);
            nameAndString(g, "apiKeyId", apiKeyId);
            g.writeName("data");
            g.writeRawValue(canonicalData);
            nameAndString(g, "eventId", eventId);
            nameAndString(g, "eventType", eventType);
            nameAndString(g, "occurredAt", occurredAt);
            g.writeName("seq");
            g.writeNumber(seq);
            nameAndString(g, "source", source);
            nameAndString(g, "tenantId", tenantId);
            g.writeEndObject();
        }
        return out.toString();
    }

    private static void nameAndString(JsonGenerator g, String name, String value) {
        g.writeName(name);
        if (value == null) {
            g.writeNull();
        } else {
            g.writeString(value);
        }
    }

    private static void write(JsonGenerator g, JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            g.writeNull();
        } else if (node.isObject()) {
            List<Map.Entry<String, JsonNode>> members = new ArrayList<>(node.properties());
            members.sort(Map.Entry.comparingByKey());
            g.writeStartObject();
            for (Map.Entry<String, JsonNode> member : members) {
                g.writeName(member.getKey());
                write(g, member.getValue());
            }
            g.writeEndObject();
        } else if (node.isArray()) {
            g.writeStartArray();
            for (JsonNode element : node) {
                write(g, element);
            }
            g.writeEndArray();
        } else if (node.isString()) {
            g.writeString(node.asString());
        } else if (node.isBoolean()) {
            g.writeBoolean(node.booleanValue());
        } else if (node.isIntegralNumber()) {
            g.writeNumber(node.bigIntegerValue());
        } else if (node.isNumber()) {
            g.writeNumber(node.decimalValue().stripTrailingZeros().toPlainString());
        } else {
            g.writeString(node.asString());
        }
    }
}
