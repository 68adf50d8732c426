package dev.recingest.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.recingest.config.Settings;
import dev.recingest.state.MergeQueue;
import dev.recingest.state.RecordingKeys;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/kubernetes}: every object valid for its API (see {@link KubernetesObjects}), the base and
 * the example overlay rendered by kustomize (the one built into kubectl), and the objects consistent with
 * each other and with the code: probes on the gateway's endpoints, a grace period longer than the drain,
 * selectors that select, the KEDA trigger on the stream and group the merger reads.
 */
class KubernetesManifestsTest {

    static final String INSTALL = "kubectl (it has kustomize built in); the CI machine image has it";
    private static final Path K8S = Path.of("deploy/kubernetes");

    @TempDir
    Path tmp;

    @Test
    void everyFileOfTheBaseAndTheComponentIsValid() throws Exception {
        int n = 0;
        for (String folder : List.of("base", "components/prometheus-operator")) {
            try (Stream<Path> files = Files.list(Tools.file(K8S.resolve(folder).toString()))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                    if (f.getFileName().toString().equals("kustomization.yaml")) {
                        continue;
                    }
                    for (JsonNode doc : KubernetesObjects.documents(Files.readString(f))) {
                        KubernetesObjects.validate(doc);
                        n++;
                    }
                }
            }
        }
        assertTrue(n >= 13, "objects checked: " + n);
    }

    @Test
    void theBaseRendersAndHangsTogether() throws Exception {
        List<JsonNode> docs = render("base");
        docs.forEach(KubernetesObjects::validate);
        checkConsistency(docs, exampleSecretKeys());
    }

    @Test
    void theExampleOverlayRendersAndHangsTogether() throws Exception {
        List<JsonNode> docs = render("overlays/example");
        docs.forEach(KubernetesObjects::validate);
        Map<String, JsonNode> byId = index(docs);
        // The Secret made from secrets.env has exactly the keys the example lists.
        assertEquals(exampleSecretKeys(), fieldNames(byId.get("Secret recingest-secrets").get("data")));
        checkConsistency(docs, exampleSecretKeys());
        for (JsonNode d : docs) {
            if (!d.path("kind").asText().equals("Namespace")) {
                assertEquals("recingest", d.path("metadata").path("namespace").asText(), KubernetesObjects.id(d));
            }
        }
        assertTrue(byId.containsKey("ServiceMonitor recingest-gateway"), "the overlay includes the operator component");
        assertEquals("recordings.example.com", byId.get("Ingress recingest-gateway").at("/spec/tls/0/hosts/0").asText());
    }

    @Test
    void theOperatorComponentCarriesExactlyTheAlertRules() throws Exception {
        ObjectMapper yaml = new YAMLMapper();
        JsonNode alerts = yaml.readTree(Tools.file("deploy/prometheus/alerts.yml").toFile());
        JsonNode rule = KubernetesObjects.documents(Files.readString(
                Tools.file("deploy/kubernetes/components/prometheus-operator/prometheusrule.yaml"))).get(0);
        assertEquals(alerts.get("groups"), rule.at("/spec/groups"),
                "prometheusrule.yaml differs from deploy/prometheus/alerts.yml: copy the groups over");
    }

    @Test
    void aMisspelledOrMissingFieldIsRefused() throws Exception {
        ObjectNode deployment = (ObjectNode) KubernetesObjects.documents(
                Files.readString(Tools.file("deploy/kubernetes/base/gateway-deployment.yaml"))).get(0);
        ObjectNode container = (ObjectNode) deployment.at("/spec/template/spec/containers/0");

        ObjectNode typo = deployment.deepCopy();
        ((ObjectNode) typo.at("/spec/template/spec/containers/0")).set("readinesProbe", container.get("readinessProbe"));
        AssertionError e = assertThrows(AssertionError.class, () -> KubernetesObjects.validate(typo));
        assertTrue(e.getMessage().contains("readinesProbe"), e.getMessage());

        ObjectNode nameless = deployment.deepCopy();
        ((ObjectNode) nameless.at("/spec/template/spec/containers/0")).remove("name");
        e = assertThrows(AssertionError.class, () -> KubernetesObjects.validate(nameless));
        assertTrue(e.getMessage().contains("`name`"), e.getMessage());

        ObjectNode noSelector = deployment.deepCopy();
        ((ObjectNode) noSelector.get("spec")).remove("selector");
        e = assertThrows(AssertionError.class, () -> KubernetesObjects.validate(noSelector));
        assertTrue(e.getMessage().contains("selector"), e.getMessage());

        JsonNode scaled = KubernetesObjects.documents(
                Files.readString(Tools.file("deploy/kubernetes/base/merger-scaledobject.yaml"))).get(0);
        ObjectNode hpaField = scaled.deepCopy();
        ((ObjectNode) hpaField.get("spec")).put("maxReplicas", 8); // the HPA's name, not KEDA's
        e = assertThrows(AssertionError.class, () -> KubernetesObjects.validate(hpaField));
        assertTrue(e.getMessage().contains("maxReplicas"), e.getMessage());

        ObjectNode untyped = scaled.deepCopy();
        ((ObjectNode) untyped.at("/spec/triggers/0")).remove("type");
        e = assertThrows(AssertionError.class, () -> KubernetesObjects.validate(untyped));
        assertTrue(e.getMessage().contains("type"), e.getMessage());

        ObjectNode badMetadata = scaled.deepCopy();
        ((ObjectNode) badMetadata.at("/spec/triggers/0/metadata")).put("consumer_group", "mergers");
        e = assertThrows(AssertionError.class, () -> KubernetesObjects.validate(badMetadata));
        assertTrue(e.getMessage().contains("consumer_group"), e.getMessage());
    }

    /** Checks that hold for any rendering of the base; {@code secretKeys}: the keys recingest-secrets has. */
    private static void checkConsistency(List<JsonNode> docs, Set<String> secretKeys) {
        Map<String, JsonNode> byId = index(docs);
        JsonNode config = docs.stream().filter(d -> d.path("kind").asText().equals("ConfigMap")
                && d.at("/metadata/name").asText().startsWith("recingest-config")).findFirst().orElseThrow();
        Map<String, String> settings = new HashMap<>();
        config.get("data").fields().forEachRemaining(f -> settings.put(f.getKey(), f.getValue().asText()));
        Settings s = Settings.of(settings);

        JsonNode gateway = byId.get("Deployment recingest-gateway");
        JsonNode merger = byId.get("Deployment recingest-merger");
        JsonNode gw = container(gateway, "gateway");
        assertEquals("/readyz", gw.at("/readinessProbe/httpGet/path").asText());
        assertEquals("/healthz", gw.at("/livenessProbe/httpGet/path").asText());
        // preStop sleeps while the endpoint leaves the load balancers; then the drain runs; the kill waits for both.
        JsonNode preStop = gw.at("/lifecycle/preStop/exec/command");
        assertEquals("sleep", preStop.get(0).asText(), "preStop: " + preStop);
        Duration drain = s.duration("RECINGEST_DRAIN_TIMEOUT", Duration.ofSeconds(30));
        long grace = gateway.at("/spec/template/spec/terminationGracePeriodSeconds").asLong();
        assertTrue(grace > preStop.get(1).asLong() + drain.toSeconds(),
                "terminationGracePeriodSeconds " + grace + " must exceed preStop + RECINGEST_DRAIN_TIMEOUT " + drain);
        assertTrue(merger.at("/spec/template/spec/terminationGracePeriodSeconds").asLong()
                > s.duration("RECINGEST_MERGE_SHUTDOWN_TIMEOUT", Duration.ofSeconds(30)).toSeconds());

        for (JsonNode deployment : List.of(gateway, merger)) {
            checkPodReferences(deployment, byId, secretKeys);
        }
        for (JsonNode d : docs) {
            switch (d.path("kind").asText()) {
                case "Service" -> {
                    JsonNode target = podsSelectedBy(docs, d.at("/spec/selector"));
                    for (JsonNode port : d.at("/spec/ports")) {
                        assertTrue(containerPortNames(target).contains(port.path("targetPort").asText()),
                                KubernetesObjects.id(d) + " targets a port the pods do not name: " + port);
                    }
                }
                case "PodDisruptionBudget" -> podsSelectedBy(docs, d.at("/spec/selector/matchLabels"));
                case "HorizontalPodAutoscaler" -> {
                    assertEquals("recingest-gateway", d.at("/spec/scaleTargetRef/name").asText());
                    assertTrue(d.at("/spec/minReplicas").asInt() >= 2, "at least two gateways");
                }
                case "Ingress" -> checkIngress(d, byId, s);
                case "ScaledObject" -> checkScaledObject(d, byId, merger, gateway, secretKeys);
                case "ServiceMonitor" -> {
                    JsonNode service = servicesSelectedBy(docs, d.at("/spec/selector/matchLabels"));
                    Set<String> ports = new LinkedHashSet<>();
                    service.at("/spec/ports").forEach(p -> ports.add(p.path("name").asText()));
                    d.at("/spec/endpoints").forEach(e -> assertTrue(ports.contains(e.path("port").asText()),
                            KubernetesObjects.id(d) + " scrapes a port the Service does not name: " + e));
                    // The job label is the Service's name: the one the alert rules and the dashboard use.
                    assertTrue(Set.of("recingest-gateway", "recingest-merger").contains(service.at("/metadata/name").asText()));
                }
                default -> { }
            }
        }
    }

    private static void checkPodReferences(JsonNode deployment, Map<String, JsonNode> byId, Set<String> secretKeys) {
        JsonNode pod = deployment.at("/spec/template/spec");
        Map<String, String> secretMounts = new HashMap<>();
        for (JsonNode c : pod.get("containers")) {
            for (JsonNode from : c.path("envFrom")) {
                String name = from.at("/configMapRef/name").asText();
                assertTrue(byId.containsKey("ConfigMap " + name), "no ConfigMap " + name);
            }
            for (JsonNode m : c.path("volumeMounts")) {
                for (JsonNode v : pod.path("volumes")) {
                    if (v.path("name").asText().equals(m.path("name").asText()) && v.has("secret")) {
                        secretMounts.put(m.path("mountPath").asText(), v.at("/secret/secretName").asText());
                    }
                }
            }
            for (JsonNode env : c.path("env")) {
                JsonNode ref = env.at("/valueFrom/secretKeyRef");
                if (!ref.isMissingNode()) {
                    assertEquals("recingest-secrets", ref.path("name").asText());
                    assertTrue(secretKeys.contains(ref.path("key").asText()), "no secret key " + ref);
                }
                String name = env.path("name").asText();
                if (name.endsWith(Settings.FILE_SUFFIX)) {
                    Path file = Path.of(env.path("value").asText());
                    assertTrue(secretMounts.containsKey(file.getParent().toString()), name + ": nothing mounted at " + file);
                    assertTrue(secretKeys.contains(file.getFileName().toString()), name + ": no secret key for " + file);
                }
            }
        }
    }

    private static void checkIngress(JsonNode ingress, Map<String, JsonNode> byId, Settings s) {
        JsonNode a = ingress.at("/metadata/annotations");
        assertTrue(a.path("nginx.ingress.kubernetes.io/proxy-read-timeout").asLong() >= 3600, "long read timeout");
        assertTrue(a.path("nginx.ingress.kubernetes.io/proxy-send-timeout").asLong() >= 3600, "long send timeout");
        assertEquals("off", a.path("nginx.ingress.kubernetes.io/proxy-request-buffering").asText());
        assertEquals("off", a.path("nginx.ingress.kubernetes.io/proxy-buffering").asText());
        long maxChunk = s.bytes("RECINGEST_MAX_CHUNK_BYTES", 8L << 20);
        long bodyLimit = Settings.of(Map.of("B", a.path("nginx.ingress.kubernetes.io/proxy-body-size").asText()))
                .bytes("B", 0);
        assertTrue(bodyLimit > maxChunk, "proxy-body-size must pass a chunk of " + maxChunk + " bytes");
        Set<String> paths = new LinkedHashSet<>();
        for (JsonNode path : ingress.at("/spec/rules/0/http/paths")) {
            paths.add(path.path("path").asText());
            String service = path.at("/backend/service/name").asText();
            JsonNode svc = byId.get("Service " + service);
            assertTrue(svc != null, "Ingress routes to a missing Service " + service);
            Set<String> ports = new LinkedHashSet<>();
            svc.at("/spec/ports").forEach(p -> ports.add(p.path("name").asText()));
            assertTrue(ports.contains(path.at("/backend/service/port/name").asText()), path.toString());
        }
        assertTrue(paths.containsAll(List.of("/v1", "/healthz", "/readyz")), "routed: " + paths);
        assertFalse(paths.contains("/") || paths.contains("/metrics"), "/metrics must not be public: " + paths);
    }

    private static void checkScaledObject(JsonNode so, Map<String, JsonNode> byId, JsonNode merger, JsonNode gateway,
                                          Set<String> secretKeys) {
        assertEquals("recingest-merger", so.at("/spec/scaleTargetRef/name").asText());
        assertTrue(so.at("/spec/minReplicaCount").asInt() >= 1, "mergers deliver webhooks: never scale to zero");
        JsonNode trigger = so.at("/spec/triggers/0");
        assertEquals("redis-streams", trigger.path("type").asText());
        assertEquals(RecordingKeys.MERGE_JOBS, trigger.at("/metadata/stream").asText(), "the stream the merger reads");
        assertEquals(MergeQueue.GROUP, trigger.at("/metadata/consumerGroup").asText(), "the merger's consumer group");
        String address = trigger.at("/metadata/address").asText();
        for (JsonNode d : List.of(merger, gateway)) {
            URI uri = URI.create(env(container(d, d == merger ? "merger" : "gateway"), "RECINGEST_REDIS_URI"));
            assertEquals(uri.getHost() + ":" + uri.getPort(), address, "KEDA must watch the Redis the pods use");
        }
        JsonNode auth = byId.get("TriggerAuthentication " + trigger.at("/authenticationRef/name").asText());
        assertTrue(auth != null, "no TriggerAuthentication " + trigger.at("/authenticationRef/name"));
        for (JsonNode ref : auth.at("/spec/secretTargetRef")) {
            assertEquals("recingest-secrets", ref.path("name").asText());
            assertTrue(secretKeys.contains(ref.path("key").asText()), "no secret key " + ref);
        }
    }

    // ---- helpers ----

    private List<JsonNode> render(String folder) throws Exception {
        Path kubectl = Tools.require("kubectl", INSTALL);
        Path copy = tmp.resolve("kubernetes");
        Tools.copyTree(Tools.file(K8S.toString()), copy);
        Path example = copy.resolve("overlays/example");
        Files.writeString(example.resolve("secrets.env"),
                Files.readString(example.resolve("secrets.env.example")).replace("CHANGE_ME", "0123456789abcdef"));
        Tools.Run run = Tools.run(copy.resolve(folder), kubectl.toString(), "kustomize", ".")
                .assertOk("kubectl kustomize " + folder);
        List<JsonNode> docs = KubernetesObjects.documents(run.stdout());
        assertFalse(docs.isEmpty(), "kustomize rendered nothing");
        return docs;
    }

    private static Set<String> exampleSecretKeys() throws Exception {
        Set<String> keys = new LinkedHashSet<>();
        for (String line : Files.readAllLines(Tools.file("deploy/kubernetes/overlays/example/secrets.env.example"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                keys.add(line.substring(0, line.indexOf('=')));
            }
        }
        return keys;
    }

    /** Objects by "Kind name" (generated ConfigMaps also under their name without the hash). */
    private static Map<String, JsonNode> index(List<JsonNode> docs) {
        Map<String, JsonNode> m = new HashMap<>();
        for (JsonNode d : docs) {
            m.put(d.path("kind").asText() + " " + d.at("/metadata/name").asText(), d);
        }
        return m;
    }

    private static JsonNode container(JsonNode deployment, String name) {
        for (JsonNode c : deployment.at("/spec/template/spec/containers")) {
            if (c.path("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError(KubernetesObjects.id(deployment) + " has no container " + name);
    }

    private static String env(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals(name)) {
                return e.path("value").asText();
            }
        }
        throw new AssertionError("no env " + name);
    }

    /** The one Deployment whose pods carry every label of {@code selector}. */
    private static JsonNode podsSelectedBy(List<JsonNode> docs, JsonNode selector) {
        return selected(docs, "Deployment", "/spec/template/metadata/labels", selector);
    }

    private static JsonNode servicesSelectedBy(List<JsonNode> docs, JsonNode selector) {
        return selected(docs, "Service", "/metadata/labels", selector);
    }

    /** The one object of {@code kind} whose labels at {@code labelsAt} include every label of {@code selector}. */
    private static JsonNode selected(List<JsonNode> docs, String kind, String labelsAt, JsonNode selector) {
        List<JsonNode> hits = docs.stream()
                .filter(d -> d.path("kind").asText().equals(kind) && matches(selector, d.at(labelsAt))).toList();
        assertEquals(1, hits.size(), "selector " + selector + " selects " + hits.size() + " objects of kind " + kind);
        return hits.get(0);
    }

    private static boolean matches(JsonNode selector, JsonNode labels) {
        assertFalse(selector.isMissingNode() || selector.isEmpty(), "empty selector");
        var it = selector.fields();
        while (it.hasNext()) {
            var e = it.next();
            if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> containerPortNames(JsonNode deployment) {
        Set<String> names = new LinkedHashSet<>();
        for (JsonNode c : deployment.at("/spec/template/spec/containers")) {
            c.path("ports").forEach(p -> names.add(p.path("name").asText()));
        }
        return names;
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new LinkedHashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

}
