package io.llmproxy.edge.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Golden wire fixtures under {@code src/test/resources/golden/} (see the README there). With
 * {@code -Dgolden.record=true} a missing or different expected file is written instead of failing
 * (review the diff before committing).
 */
public final class GoldenFixtures {

    public static final JsonMapper JSON = JsonMapper.builder().build();
    private static final boolean RECORD = Boolean.getBoolean("golden.record");

    private GoldenFixtures() {
    }

    public static String text(String path) {
        try (InputStream in = GoldenFixtures.class.getClassLoader().getResourceAsStream("golden/" + path)) {
            if (in == null) {
                if (RECORD) {
                    return null;
                }
                throw new IllegalStateException("missing golden fixture " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ObjectNode object(String path) {
        return (ObjectNode) JSON.readTree(text(path));
    }

    /** Asserts JSON equality (field order ignored) after {@link #normalize}. */
    public static void assertJson(String expectedPath, byte[] actual) {
        JsonNode actualNode = normalize(JSON.readTree(actual));
        String expected = text(expectedPath);
        if (RECORD && (expected == null || !JSON.readTree(expected).equals(actualNode))) {
            write(expectedPath, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(actualNode) + "\n");
            return;
        }
        assertThat(actualNode).as(expectedPath).isEqualTo(JSON.readTree(expected));
    }

    /** Asserts the SSE text equal, each {@code data:} JSON normalised by {@link #normalize}. */
    public static void assertSse(String expectedPath, String actual) {
        String normalized = normalizeSse(actual);
        String expected = text(expectedPath);
        if (RECORD && !normalized.equals(expected)) {
            write(expectedPath, normalized);
            return;
        }
        assertThat(normalized).as(expectedPath).isEqualTo(expected);
    }

    /** {@code id} → {@code chatcmpl-golden}, {@code created} → 0 (Ollama sends no id; translators make one). */
    public static JsonNode normalize(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (object.has("id") && object.has("object")) {
                object.put("id", "chatcmpl-golden");
            }
            if (object.has("created")) {
                object.put("created", 0);
            }
        }
        return node;
    }

    public static String normalizeSse(String sse) {
        StringBuilder out = new StringBuilder();
        for (String block : sse.split("\n\n")) {
            if (block.startsWith("data: {")) {
                out.append("data: ").append(JSON.writeValueAsString(normalize(JSON.readTree(block.substring(6))))).append("\n\n");
            } else {
                out.append(block).append("\n\n");
            }
        }
        return out.toString();
    }

    private static void write(String path, String content) {
        try {
            Path file = Path.of("src/test/resources/golden", path);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
