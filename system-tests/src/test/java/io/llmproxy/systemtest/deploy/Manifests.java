package io.llmproxy.systemtest.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads Kubernetes YAML into fabric8's typed model objects, strictly: a field the model does not
 * know (a typo such as {@code readinesProbe}, or a field at the wrong level) fails the read instead
 * of landing in the model's {@code additionalProperties} as fabric8's own serializer lets it.
 * Only the kinds these manifests use, each at the one {@code apiVersion} accepted here.
 */
final class Manifests {

    /** kind → (apiVersion, model class) accepted in {@code infra/k8s}. */
    static final Map<String, Map.Entry<String, Class<? extends HasMetadata>>> KINDS = Map.of(
            "Namespace", Map.entry("v1", Namespace.class),
            "ConfigMap", Map.entry("v1", ConfigMap.class),
            "Secret", Map.entry("v1", Secret.class),
            "Service", Map.entry("v1", Service.class),
            "Deployment", Map.entry("apps/v1", Deployment.class),
            "StatefulSet", Map.entry("apps/v1", StatefulSet.class),
            "HorizontalPodAutoscaler", Map.entry("autoscaling/v2", HorizontalPodAutoscaler.class),
            "PodDisruptionBudget", Map.entry("policy/v1", PodDisruptionBudget.class));

    /**
     * Jackson 2 (fabric8 7.x's) on YAML, unknown properties fatal, and the models' any-setters
     * ({@code @JsonAnySetter setAdditionalProperty}) switched off so that they cannot swallow them.
     */
    static final ObjectMapper STRICT = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .setAnnotationIntrospector(new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(Annotated a) {
                    return Boolean.FALSE;
                }
            });

    private Manifests() {
    }

    /** @return every YAML document of {@code text}, as a tree (empty documents skipped) */
    static List<JsonNode> documents(String text) {
        List<JsonNode> out = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = STRICT.readerFor(JsonNode.class).readValues(text)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    out.add(doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * @return the typed objects of one YAML text
     * @throws IllegalArgumentException for an unknown kind, another apiVersion, or a field the model lacks
     */
    static List<HasMetadata> parse(String text, String where) {
        List<HasMetadata> out = new ArrayList<>();
        for (JsonNode doc : documents(text)) {
            String kind = doc.path("kind").asText();
            var accepted = KINDS.get(kind);
            if (accepted == null) {
                throw new IllegalArgumentException(where + ": kind '" + kind + "' is not one of " + KINDS.keySet());
            }
            if (!accepted.getKey().equals(doc.path("apiVersion").asText())) {
                throw new IllegalArgumentException(where + ": " + kind + " must be " + accepted.getKey() + ", not "
                        + doc.path("apiVersion").asText());
            }
            try {
                out.add(STRICT.treeToValue(doc, accepted.getValue()));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(where + ": " + e.getOriginalMessage(), e);
            }
        }
        return out;
    }

    /** @return the typed objects of a file */
    static List<HasMetadata> parse(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
