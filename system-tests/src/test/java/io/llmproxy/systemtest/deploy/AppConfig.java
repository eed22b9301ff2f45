package io.llmproxy.systemtest.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One application's configuration as the deployment sees it: its {@code application.yml}
 * (flattened to dotted keys, {@code ${ENV:default}} placeholders resolved against the environment
 * the manifests give it) and the settings its code reads, for checking environment variable names.
 *
 * @param module  the application's module directory
 * @param yml     {@code application.yml}, flattened, unresolved
 * @param yamlEnv the environment variable names its {@code application.yml} reads ({@code ${NAME...}})
 * @param keys    every setting key its code and that of its project dependencies names, canonical
 *                (lower case, without {@code .}, {@code -}, {@code _}), so that Spring's relaxed binding
 *                of an environment variable ({@code LLMPROXY_EDGE_JWT_ISSUERURI} → {@code llmproxy.edge.jwt.issuer-uri})
 *                can be checked
 */
record AppConfig(Path module, Map<String, String> yml, Set<String> yamlEnv, Set<String> keys) {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(?::([^}]*))?}");
    private static final Pattern KEY_LITERAL = Pattern.compile("(?:\"|\\$\\{)([a-z][a-z0-9-]*(?:\\.[a-z][a-z0-9-]*)+)");
    private static final Pattern PROPERTIES_PREFIX = Pattern.compile("@ConfigurationProperties\\(\"([a-z0-9.-]+)\"\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("\\b([a-z][A-Za-z0-9]*)\\b");

    /**
     * @param root      the repository root
     * @param module    the application's module, e.g. {@code proxy-edge}
     * @param codeFrom  modules whose main sources the application runs (itself and its project dependencies)
     */
    static AppConfig load(Path root, String module, List<String> codeFrom) {
        Path dir = root.resolve(module);
        Path yml = dir.resolve("src/main/resources/application.yml");
        Map<String, String> flat = new LinkedHashMap<>();
        Set<String> yamlEnv = new HashSet<>();
        Set<String> keys = new HashSet<>();
        try {
            String text = Files.readString(yml);
            flatten("", Manifests.documents(text).get(0), flat);
            Matcher m = PLACEHOLDER.matcher(text);
            while (m.find()) {
                yamlEnv.add(m.group(1));
            }
            flat.keySet().forEach(k -> keys.add(canonical(k)));
            for (String from : codeFrom) {
                Path src = root.resolve(from).resolve("src/main/java");
                try (Stream<Path> files = Files.walk(src)) {
                    for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                        collectKeys(Files.readString(f), keys);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new AppConfig(dir, flat, yamlEnv, keys);
    }

    /** Adds the setting keys a source file names: string literals, and prefix + member for {@code @ConfigurationProperties}. */
    private static void collectKeys(String java, Set<String> keys) {
        Matcher literal = KEY_LITERAL.matcher(java);
        while (literal.find()) {
            keys.add(canonical(literal.group(1)));
        }
        Matcher prefix = PROPERTIES_PREFIX.matcher(java);
        while (prefix.find()) {
            Matcher member = IDENTIFIER.matcher(java);
            while (member.find()) {
                keys.add(canonical(prefix.group(1) + "." + member.group(1)));
            }
        }
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out));
        } else {
            out.put(prefix, node.isNull() ? null : node.asText());
        }
    }

    static String canonical(String key) {
        return key.toLowerCase(Locale.ROOT).replace(".", "").replace("-", "").replace("_", "");
    }

    /**
     * @return the value of {@code key} with the environment {@code env}: a relaxed-binding
     *         environment variable first (as Spring Boot does), else {@code application.yml}'s value
     *         with its placeholders resolved (env, else their default); null when neither has it
     */
    String resolve(String key, Map<String, String> env) {
        String relaxed = key.toUpperCase(Locale.ROOT).replace('.', '_').replace("-", "");
        if (env.containsKey(relaxed)) {
            return env.get(relaxed);
        }
        String raw = yml.get(key);
        if (raw == null) {
            return null;
        }
        Matcher m = PLACEHOLDER.matcher(raw);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.getOrDefault(m.group(1), m.group(2) == null ? "" : m.group(2));
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** @return whether the application reads environment variable {@code name} (a placeholder, or relaxed binding) */
    boolean reads(String name) {
        return yamlEnv.contains(name) || keys.contains(canonical(name));
    }
}
