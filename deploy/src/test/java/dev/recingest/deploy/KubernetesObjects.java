package dev.recingest.deploy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscalerBehavior;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Strict checks of Kubernetes objects, one YAML document each.
 *
 * <p>Built-in kinds go through the official Kubernetes Java client's models ({@code validateJsonElement},
 * generated from the API's OpenAPI spec): a field the API does not define, or a required one that is
 * missing, anywhere in the object, is an error, the way {@code kubectl apply --validate=strict} would
 * answer. Custom resources (KEDA's ScaledObject and TriggerAuthentication, the Prometheus Operator's
 * ServiceMonitor and PrometheusRule) have no such model here: they are read into records of the fields we
 * use, named and marked required as in their CRDs, rejecting any other field. That is narrower than the CRD
 * (a valid field we do not use is refused too), which is the safe side for our own manifests.
 */
final class KubernetesObjects {

    private static final ObjectMapper YAML = new YAMLMapper();
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    /** apiVersion/kind to the client model that validates it. */
    private static final Map<String, Class<?>> BUILT_IN = Map.of(
            "v1/Namespace", V1Namespace.class,
            "v1/ConfigMap", V1ConfigMap.class,
            "v1/Secret", V1Secret.class,
            "v1/Service", V1Service.class,
            "apps/v1/Deployment", V1Deployment.class,
            "autoscaling/v2/HorizontalPodAutoscaler", V2HorizontalPodAutoscaler.class,
            "policy/v1/PodDisruptionBudget", V1PodDisruptionBudget.class,
            "networking.k8s.io/v1/Ingress", V1Ingress.class);

    private static final Map<String, Class<?>> CUSTOM = Map.of(
            "keda.sh/v1alpha1/ScaledObject", ScaledObject.class,
            "keda.sh/v1alpha1/TriggerAuthentication", TriggerAuthentication.class,
            "monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class,
            "monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class);

    /** The trigger metadata KEDA's redis-streams scaler reads (its documentation's parameter list). */
    static final Set<String> REDIS_STREAMS_METADATA = Set.of("address", "addressFromEnv", "host", "hostFromEnv", "port",
            "portFromEnv", "usernameFromEnv", "passwordFromEnv", "stream", "consumerGroup", "pendingEntriesCount",
            "streamLength", "lagCount", "activationLagCount", "enableTLS", "unsafeSsl", "databaseIndex");

    private KubernetesObjects() {
    }

    /** The documents of a (multi-document) YAML text, empty ones skipped. */
    static List<JsonNode> documents(String yaml) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(new YAMLFactory().createParser(yaml))) {
            while (it.hasNext()) {
                JsonNode d = it.next();
                if (d != null && !d.isNull() && !d.isEmpty()) {
                    docs.add(d);
                }
            }
        }
        return docs;
    }

    static String id(JsonNode doc) {
        return doc.path("apiVersion").asText() + "/" + doc.path("kind").asText() + " "
                + doc.path("metadata").path("name").asText();
    }

    /** Throws an AssertionError that names the object and what is wrong with it. */
    static void validate(JsonNode doc) {
        String type = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
        try {
            if (BUILT_IN.containsKey(type)) {
                validateModel(BUILT_IN.get(type), doc);
            } else if (CUSTOM.containsKey(type)) {
                Object o = STRICT.treeToValue(doc, CUSTOM.get(type));
                if (o instanceof ScaledObject so) {
                    check(so);
                } else if (o instanceof ServiceMonitor sm) {
                    validateModel(V1LabelSelector.class, sm.spec().selector());
                }
            } else {
                throw new AssertionError(id(doc) + ": a kind these checks do not know; add it to KubernetesObjects");
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new AssertionError(id(doc) + ": " + e.getMessage(), e);
        }
    }

    private static void check(ScaledObject so) throws IOException {
        if (so.spec().advanced() != null && so.spec().advanced().horizontalPodAutoscalerConfig() != null
                && so.spec().advanced().horizontalPodAutoscalerConfig().behavior() != null) {
            validateModel(V2HorizontalPodAutoscalerBehavior.class, so.spec().advanced().horizontalPodAutoscalerConfig().behavior());
        }
        for (ScaledObject.Trigger t : so.spec().triggers()) {
            if (t.type().equals("redis-streams")) {
                for (String key : t.metadata().keySet()) {
                    if (!REDIS_STREAMS_METADATA.contains(key)) {
                        throw new IllegalArgumentException("redis-streams trigger: unknown metadata '" + key + "'");
                    }
                }
                if (!t.metadata().containsKey("stream")
                        || !(t.metadata().containsKey("address") || t.metadata().containsKey("host"))) {
                    throw new IllegalArgumentException("redis-streams trigger: stream and address (or host) are required");
                }
            }
        }
    }

    private static void validateModel(Class<?> model, JsonNode json) throws IOException {
        JsonElement element = JsonParser.parseString(STRICT.writeValueAsString(json));
        try {
            model.getMethod("validateJsonElement", JsonElement.class).invoke(null, element);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(model + " has no validateJsonElement", e);
        }
    }

    // ---- the custom resources, as far as we use them ----

    record Meta(@JsonProperty(required = true) String name, String namespace, Map<String, String> labels,
                Map<String, String> annotations) {
    }

    record ScaledObject(@JsonProperty(required = true) String apiVersion, @JsonProperty(required = true) String kind,
                        @JsonProperty(required = true) Meta metadata, @JsonProperty(required = true) Spec spec) {
        record Spec(@JsonProperty(required = true) ScaleTargetRef scaleTargetRef, Integer pollingInterval,
                    Integer cooldownPeriod, Integer initialCooldownPeriod, Integer idleReplicaCount,
                    Integer minReplicaCount, Integer maxReplicaCount, Fallback fallback, Advanced advanced,
                    @JsonProperty(required = true) List<Trigger> triggers) {
        }

        record ScaleTargetRef(@JsonProperty(required = true) String name, String apiVersion, String kind,
                              String envSourceContainerName) {
        }

        record Fallback(@JsonProperty(required = true) Integer failureThreshold,
                        @JsonProperty(required = true) Integer replicas) {
        }

        record Advanced(Boolean restoreToOriginalReplicaCount, HpaConfig horizontalPodAutoscalerConfig) {
        }

        record HpaConfig(String name, JsonNode behavior) {
        }

        record Trigger(@JsonProperty(required = true) String type, String name,
                       @JsonProperty(required = true) Map<String, String> metadata, AuthRef authenticationRef,
                       String metricType, Boolean useCachedMetrics) {
        }

        record AuthRef(@JsonProperty(required = true) String name, String kind) {
        }
    }

    record TriggerAuthentication(@JsonProperty(required = true) String apiVersion, @JsonProperty(required = true) String kind,
                                 @JsonProperty(required = true) Meta metadata, @JsonProperty(required = true) Spec spec) {
        record Spec(List<SecretTargetRef> secretTargetRef) {
        }

        record SecretTargetRef(@JsonProperty(required = true) String parameter, @JsonProperty(required = true) String name,
                               @JsonProperty(required = true) String key) {
        }
    }

    record ServiceMonitor(@JsonProperty(required = true) String apiVersion, @JsonProperty(required = true) String kind,
                          @JsonProperty(required = true) Meta metadata, @JsonProperty(required = true) Spec spec) {
        record Spec(@JsonProperty(required = true) JsonNode selector, @JsonProperty(required = true) List<Endpoint> endpoints,
                    String jobLabel, NamespaceSelector namespaceSelector) {
        }

        record Endpoint(String port, String path, String interval, String scrapeTimeout, String scheme,
                        Boolean honorLabels) {
        }

        record NamespaceSelector(Boolean any, List<String> matchNames) {
        }
    }

    record PrometheusRule(@JsonProperty(required = true) String apiVersion, @JsonProperty(required = true) String kind,
                          @JsonProperty(required = true) Meta metadata, @JsonProperty(required = true) Spec spec) {
        record Spec(@JsonProperty(required = true) List<Group> groups) {
        }

        record Group(@JsonProperty(required = true) String name, String interval,
                     @JsonProperty(required = true) List<Rule> rules) {
        }

        record Rule(String alert, String record, @JsonProperty(required = true) String expr,
                    @JsonProperty("for") String forDuration, Map<String, String> labels, Map<String, String> annotations) {
        }
    }
}
