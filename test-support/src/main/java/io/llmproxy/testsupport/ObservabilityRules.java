package io.llmproxy.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/**
 * Reads the Prometheus rule files of {@code infra/observability/rules/} (Prometheus' rule file format:
 * {@code groups[].rules[]} with {@code record} or {@code alert}, and {@code expr}) so tests can check that
 * every series a rule reads is exposed by the service that owns it.
 */
public final class ObservabilityRules {

    /** The rule files, in the order Prometheus loads them. */
    public static final List<String> FILES = List.of("llmproxy-recording.yml", "llmproxy-alerts.yml");
    /** Series names owned by query-side (the rest, but {@code up}, are the edge's). */
    private static final List<String> QUERY_SIDE_PREFIXES = List.of("llmproxy_projection_", "llmproxy_audit_",
            "llmproxy_billing_", "kafka_consumer_");
    private static final Pattern NAME = Pattern.compile("(?<![A-Za-z0-9_:])([a-zA-Z_][a-zA-Z0-9_:]*)");

    private ObservabilityRules() {
    }

    /** @return {@code infra/observability}, found from the working directory upwards */
    public static Path dir() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            Path candidate = p.resolve("infra/observability");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
            p = p.getParent();
        }
        throw new IllegalStateException("infra/observability not found above " + Path.of("").toAbsolutePath());
    }

    /** @return every rule of every file, as parsed maps ({@code record}/{@code alert}, {@code expr}, …) */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> rules() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String file : FILES) {
            try (InputStream in = Files.newInputStream(dir().resolve("rules").resolve(file))) {
                Map<String, Object> doc = new Yaml().load(in);
                for (Map<String, Object> group : (List<Map<String, Object>>) doc.get("groups")) {
                    out.addAll((List<Map<String, Object>>) group.get("rules"));
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    /** @return the names the recording rules define (they contain {@code :}) */
    public static Set<String> recorded() {
        Set<String> out = new TreeSet<>();
        for (Map<String, Object> r : rules()) {
            if (r.get("record") != null) {
                out.add((String) r.get("record"));
            }
        }
        return out;
    }

    /**
     * @return the exposed series names a PromQL expression reads (label matchers, {@code by}/{@code without}
     *         lists, strings, functions, durations and recorded names left out)
     */
    public static Set<String> seriesOf(String expr) {
        String s = expr.replaceAll("\"[^\"]*\"", "\"\"").replaceAll("\\{[^}]*}", "")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", "")
                .replaceAll("\\[[^]]*]", "");
        Set<String> out = new TreeSet<>();
        Matcher m = NAME.matcher(s);
        while (m.find()) {
            String name = m.group(1);
            int after = m.end();
            boolean function = after < s.length() && s.substring(after).stripLeading().startsWith("(");
            if (!function && !name.contains(":") && (name.startsWith("llmproxy_") || name.startsWith("gen_ai_")
                    || name.startsWith("kafka_"))) {
                out.add(name);
            }
        }
        return out;
    }

    /** @return the PromQL expressions of the Grafana dashboard's panels ({@code grafana/llmproxy-dashboard.json}) */
    public static List<String> dashboardExprs() {
        try {
            String json = Files.readString(dir().resolve("grafana/llmproxy-dashboard.json"));
            List<String> out = new ArrayList<>();
            Matcher m = Pattern.compile("\"expr\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
            while (m.find()) {
                out.add(m.group(1).replace("\\\"", "\""));
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return every exposed series the rules and the dashboard read */
    public static Set<String> series() {
        Set<String> out = new TreeSet<>();
        for (Map<String, Object> r : rules()) {
            out.addAll(seriesOf((String) r.get("expr")));
        }
        for (String expr : dashboardExprs()) {
            out.addAll(seriesOf(expr));
        }
        return out;
    }

    /** @return the series the rules read from query-side */
    public static Set<String> querySideSeries() {
        Set<String> out = new TreeSet<>();
        for (String s : series()) {
            if (QUERY_SIDE_PREFIXES.stream().anyMatch(s::startsWith)) {
                out.add(s);
            }
        }
        return out;
    }

    /** @return the series the rules read from the edge */
    public static Set<String> edgeSeries() {
        Set<String> out = series();
        out.removeAll(querySideSeries());
        return out;
    }

    /** @return the series names in a Prometheus text exposition (sample lines' names) */
    public static Set<String> exposed(String scrape) {
        Set<String> out = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (!line.isEmpty() && !line.startsWith("#")) {
                int end = line.indexOf('{');
                out.add(line.substring(0, end >= 0 ? end : line.indexOf(' ')));
            }
        }
        return out;
    }
}
