package io.llmproxy.systemtest.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 14: {@code infra/k8s} cannot be applied on this machine (no cluster), so every manifest is
 * read into fabric8's typed Kubernetes objects, strictly ({@link Manifests}), and checked against
 * what the applications really do: ports and probe paths from their {@code application.yml},
 * environment variables they read, images built by {@code infra/docker}, grace periods above the
 * shutdown timeout, a PodDisruptionBudget for every workload and an HPA for the edge.
 */
class KubernetesManifestsTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path K8S = ROOT.resolve("infra/k8s");
    static final Path DOCKER = ROOT.resolve("infra/docker");
    /** module → the modules whose main code it runs (for the settings it reads). */
    static final Map<String, List<String>> APPS = Map.of(
            "proxy-edge", List.of("proxy-edge", "shared-kernel"),
            "command-side", List.of("command-side", "admin-web", "identity", "shared-kernel"),
            "query-side", List.of("query-side", "admin-web", "identity", "shared-kernel", "projections"));
    static final List<String> NOT_APPLIED = List.of("kustomization.yaml", "secrets.example.yaml");

    static final List<HasMetadata> objects = new ArrayList<>();
    static final Map<String, AppConfig> configs = new LinkedHashMap<>();

    @BeforeAll
    static void read() throws Exception {
        for (Path file : applied()) {
            objects.addAll(Manifests.parse(file));
        }
        APPS.forEach((module, code) -> configs.put(module, AppConfig.load(ROOT, module, code)));
    }

    static List<Path> applied() throws Exception {
        try (Stream<Path> files = Files.list(K8S)) {
            return files.filter(p -> p.toString().endsWith(".yaml"))
                    .filter(p -> !NOT_APPLIED.contains(p.getFileName().toString())).sorted().toList();
        }
    }

    static <T extends HasMetadata> List<T> all(Class<T> kind) {
        return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    static <T extends HasMetadata> T named(Class<T> kind, String name) {
        return all(kind).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind.getSimpleName() + " " + name + " in infra/k8s"));
    }

    /** @return the pod template of the app's workload (the edge's StatefulSet, the others' Deployments) */
    static PodTemplateSpec template(String app) {
        return app.equals("proxy-edge") ? named(StatefulSet.class, app).getSpec().getTemplate()
                : named(Deployment.class, app).getSpec().getTemplate();
    }

    static Container container(String app) {
        List<Container> containers = template(app).getSpec().getContainers();
        assertThat(containers).extracting(Container::getName).containsExactly(app);
        return containers.get(0);
    }

    /** @return the container's environment: ConfigMap keys from envFrom, then env entries (a secretKeyRef as "<secret>") */
    static Map<String, String> environment(Container c) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : c.getEnvFrom()) {
            assertThat(from.getSecretRef()).as("secrets only by secretKeyRef").isNull();
            env.putAll(named(ConfigMap.class, from.getConfigMapRef().getName()).getData());
        }
        for (EnvVar e : c.getEnv()) {
            env.put(e.getName(), e.getValue() != null ? e.getValue() : "<secret>");
        }
        return env;
    }

    static int port(Container c, String name) {
        return c.getPorts().stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort)
                .findFirst().orElseThrow(() -> new AssertionError(c.getName() + " has no port named " + name));
    }

    @Test
    void strictParsingRefusesAFieldTheModelDoesNotKnow() {
        String typo = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - name: x
                          image: x
                          readinesProbe: {httpGet: {path: /, port: 1}}
                """;
        assertThatThrownBy(() -> Manifests.parse(typo, "typo")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("readinesProbe");
        assertThatThrownBy(() -> Manifests.parse("apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: x}\n", "v1"))
                .hasMessageContaining("must be autoscaling/v2");
        assertThat(Manifests.parse(typo.replace("readinesProbe", "readinessProbe"), "fixed")).hasSize(1);
    }

    @Test
    void kustomizationListsEveryManifestAndNamesTheImagesOfInfraDocker() throws Exception {
        var kustomization = Manifests.documents(Files.readString(K8S.resolve("kustomization.yaml"))).get(0);
        List<String> resources = new ArrayList<>();
        kustomization.get("resources").forEach(r -> resources.add(r.asText()));
        assertThat(resources).containsExactlyInAnyOrderElementsOf(applied().stream().map(p -> p.getFileName().toString()).toList());
        List<String> images = new ArrayList<>();
        kustomization.get("images").forEach(i -> images.add(i.get("name").asText() + ":" + i.get("newTag").asText()));
        assertThat(images).containsExactlyInAnyOrderElementsOf(APPS.keySet().stream().map(a -> container(a).getImage()).toList());
        assertThat(objects).extracting(o -> o.getKind() + "/" + o.getMetadata().getName()).doesNotHaveDuplicates()
                .contains("StatefulSet/proxy-edge", "Deployment/command-side", "Deployment/query-side",
                        "HorizontalPodAutoscaler/proxy-edge");
    }

    @ParameterizedTest
    @ValueSource(strings = {"proxy-edge", "command-side", "query-side"})
    void portsProbesAndEnvironmentAgreeWithTheApplication(String app) {
        AppConfig config = configs.get(app);
        Container c = container(app);
        Map<String, String> env = environment(c);

        // every variable is one the application reads
        assertThat(env.keySet()).allSatisfy(name -> assertThat(config.reads(name))
                .as("%s reads %s (a ${%s} in its application.yml or a setting of its code)", app, name, name).isTrue());

        // ports: server.port (and the management port where it has its own) with the manifest's environment
        int serverPort = Integer.parseInt(config.resolve("server.port", env));
        assertThat(port(c, "http")).isEqualTo(serverPort);
        String management = config.resolve("management.server.port", env);
        int actuatorPort = management == null ? serverPort : Integer.parseInt(management);
        if (management != null) {
            assertThat(port(c, "management")).isEqualTo(actuatorPort).isNotEqualTo(serverPort);
        }
        assertThat(c.getPorts()).extracting(ContainerPort::getContainerPort).containsOnly(serverPort, actuatorPort);

        // probes: the health groups the app enables, on the port that serves its actuator
        assertThat(config.resolve("management.endpoint.health.probes.enabled", env)).isEqualTo("true");
        assertThat(config.resolve("management.endpoints.web.exposure.include", env)).contains("health");
        assertThat(config.yml()).containsKey("management.endpoint.health.group.readiness.include");
        assertProbe(c, c.getLivenessProbe(), "/actuator/health/liveness", actuatorPort);
        assertProbe(c, c.getStartupProbe(), "/actuator/health/liveness", actuatorPort);
        assertProbe(c, c.getReadinessProbe(), "/actuator/health/readiness", actuatorPort);
        if (!app.equals("proxy-edge")) {
            assertThat(config.yml().get("management.endpoint.health.group.readiness.include")).contains("db");
        }

        // the image infra/docker builds, running as its user, exposing these ports
        assertThat(c.getImage()).matches("llmproxy/" + app + ":\\d+\\.\\d+\\.\\d+");
        String dockerfile = read(DOCKER.resolve(app + ".Dockerfile"));
        assertThat(dockerfile).contains("-t llmproxy/" + app + ":", "USER 10001:10001", "/actuator/health/liveness")
                .containsPattern("EXPOSE [0-9 ]*\\b" + serverPort + "\\b")
                .containsPattern("EXPOSE [0-9 ]*\\b" + actuatorPort + "\\b");
        var pod = template(app).getSpec().getSecurityContext();
        assertThat(pod.getRunAsNonRoot()).isTrue();
        assertThat(pod.getRunAsUser()).isEqualTo(10001L);
        assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(c.getResources().getLimits()).containsKeys("cpu", "memory");
    }

    static void assertProbe(Container c, Probe probe, String path, int port) {
        assertThat(probe).as(c.getName() + " probe " + path).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        var target = probe.getHttpGet().getPort();
        int resolved = target.getIntVal() != null ? target.getIntVal() : port(c, target.getStrVal());
        assertThat(resolved).as(c.getName() + " " + path + " port").isEqualTo(port);
    }

    @ParameterizedTest
    @ValueSource(strings = {"proxy-edge", "command-side", "query-side"})
    void terminationGraceCoversThePreStopSleepAndTheShutdownTimeout(String app) {
        Container c = container(app);
        Map<String, String> env = environment(c);
        String timeout = configs.get(app).resolve("spring.lifecycle.timeout-per-shutdown-phase", env);
        assertThat(configs.get(app).resolve("server.shutdown", env)).isEqualTo("graceful");
        assertThat(timeout).isEqualTo("20s");
        long shutdown = Duration.parse("PT" + timeout.toUpperCase()).toSeconds();
        List<String> preStop = c.getLifecycle().getPreStop().getExec().getCommand();
        assertThat(preStop).hasSize(2).first().isEqualTo("sleep");
        long sleep = Long.parseLong(preStop.get(1));
        assertThat(sleep).isPositive();
        // the edge's usage publisher then sends its journal for up to 5 s (+ 2 s join) before the JVM exits
        long after = app.equals("proxy-edge") ? 7 : 0;
        assertThat(template(app).getSpec().getTerminationGracePeriodSeconds()).isGreaterThan(sleep + shutdown + after);
    }

    @Test
    void everyWorkloadHasAPdbAServiceAndTheEdgeAnHpaAndItsOwnJournalVolume() {
        for (String app : APPS.keySet()) {
            Map<String, String> labels = template(app).getMetadata().getLabels();
            assertThat(all(PodDisruptionBudget.class)).as(app + " PDB")
                    .anySatisfy(pdb -> assertThat(labels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels()));
            Service service = named(Service.class, app);
            assertThat(labels).containsAllEntriesOf(service.getSpec().getSelector());
            for (ServicePort p : service.getSpec().getPorts()) {
                assertThat(port(container(app), p.getTargetPort().getStrVal())).isEqualTo(p.getPort());
            }
        }
        assertThat(named(Service.class, "proxy-edge").getSpec().getPorts()).extracting(ServicePort::getName)
                .as("the edge's actuator port is not behind its Service").containsExactly("http");

        HorizontalPodAutoscaler hpa = named(HorizontalPodAutoscaler.class, "proxy-edge");
        assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("StatefulSet");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("proxy-edge");
        assertThat(hpa.getSpec().getMetrics()).singleElement()
                .satisfies(m -> assertThat(m.getResource().getName()).isEqualTo("cpu"));
        assertThat(hpa.getSpec().getMinReplicas()).isGreaterThanOrEqualTo(2);

        StatefulSet edge = named(StatefulSet.class, "proxy-edge");
        String journalDir = environment(container("proxy-edge")).get("LLMPROXY_USAGE_BUFFER_DIR");
        String claim = edge.getSpec().getVolumeClaimTemplates().get(0).getMetadata().getName();
        assertThat(container("proxy-edge").getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo(claim);
            assertThat(m.getMountPath()).isEqualTo(journalDir);
        });
        assertThat(edge.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenScaled()).isEqualTo("Retain");
        assertThat(named(Service.class, edge.getSpec().getServiceName()).getSpec().getClusterIP()).isEqualTo("None");
    }

    @Test
    void secretsAreOnlyReferencedAndTheExampleHoldsNoValue() throws Exception {
        List<HasMetadata> example = Manifests.parse(K8S.resolve("secrets.example.yaml"));
        assertThat(all(Secret.class)).as("no Secret is applied by the manifests").isEmpty();
        Map<String, List<String>> declared = new LinkedHashMap<>();
        for (HasMetadata o : example) {
            Secret s = (Secret) o;
            assertThat(s.getData()).isNullOrEmpty();
            assertThat(s.getStringData().values()).allSatisfy(v -> assertThat(v).isEmpty());
            declared.put(s.getMetadata().getName(), List.copyOf(s.getStringData().keySet()));
        }
        for (String app : APPS.keySet()) {
            Container c = container(app);
            for (EnvVar e : c.getEnv()) {
                assertThat(e.getValueFrom()).as(app + " " + e.getName() + ": only secretKeyRef, no literal value").isNotNull();
                var ref = e.getValueFrom().getSecretKeyRef();
                assertThat(declared.get(ref.getName())).as(app + " " + e.getName()).contains(ref.getKey());
            }
            for (Volume v : template(app).getSpec().getVolumes()) {
                if (v.getSecret() != null) {
                    assertThat(declared).containsKey(v.getSecret().getSecretName());
                    VolumeMount mount = c.getVolumeMounts().stream().filter(m -> m.getName().equals(v.getName())).findFirst().orElseThrow();
                    // the file the app is told to read is a key of that Secret
                    String file = environment(c).get("LLMPROXY_IDENTITY_KEYCLOAK_ADMINPASSWORDFILE");
                    assertThat(declared.get(v.getSecret().getSecretName()).stream().map(k -> mount.getMountPath() + "/" + k))
                            .contains(file);
                }
            }
        }
        for (ConfigMap cm : all(ConfigMap.class)) {
            assertThat(cm.getData().keySet()).as("ConfigMap %s holds no secret", cm.getMetadata().getName())
                    .allSatisfy(k -> assertThat(k.replace("PASSWORDFILE", "")).doesNotContain("PASSWORD", "TOKEN", "SECRET"));
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
