package dev.recingest.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.recingest.config.S3Config;
import dev.recingest.embedded.EmbeddedS3;
import dev.recingest.embedded.FreePort;
import dev.recingest.storage.S3Store;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.embedded.RedisServer;

/**
 * A gateway and a merger started as production starts them ({@code Main gateway}, {@code Main merger}) in
 * JVMs of their own, against a Redis that requires a password (given in RECINGEST_REDIS_URI, as the
 * compose file and the Kubernetes manifests give it) and the embedded S3 server.
 *
 * <p>Every series the dashboard, the alert rules and the PrometheusRule select must be in what these
 * processes export at /metrics, with the label values they match on: a renamed metric or label value
 * fails here rather than on an empty panel or an alert that can never fire.
 */
class RunningProcessesIT {

    private static final String PASSWORD = "9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c";
    /** Series Prometheus itself makes (per scrape target), not exported by a process. */
    private static final Set<String> SYNTHETIC = Set.of("up");
    /** Labels Prometheus attaches per target. */
    private static final Set<String> TARGET_LABELS = Set.of("job", "instance");

    @TempDir
    static Path dir;
    private static RedisServer redis;
    private static int redisPort;
    private static EmbeddedS3 s3;

    @BeforeAll
    static void backends() throws Exception {
        redisPort = FreePort.pick();
        // The Redis 6.2 binary of the embedded-redis artifact, a real redis-server, with requirepass.
        redis = RedisServer.newRedisServer().port(redisPort).bind("127.0.0.1").setting("requirepass " + PASSWORD)
                .setting("appendonly no").setting("save \"\"").onShutdownForceStop(true).build();
        redis.start();
        s3 = EmbeddedS3.start(dir.resolve("s3"), "deploy-access", "deploy-secret-key");
        try (S3Store store = S3Store.create(new S3Config(s3.endpoint(), "us-east-1", "recordings", "", "deploy-access",
                "deploy-secret-key", true, 4))) {
            store.ensureBucket();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (s3 != null) {
            s3.close();
        }
        if (redis != null) {
            redis.stop();
        }
    }

    private static Map<String, String> env(String redisUri) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("RECINGEST_REDIS_URI", redisUri);
        env.put("RECINGEST_S3_ENDPOINT", s3.endpoint().toString());
        env.put("RECINGEST_S3_BUCKET", "recordings");
        env.put("AWS_ACCESS_KEY_ID", "deploy-access");
        // Secrets as the Kubernetes manifests give them: files named by *_FILE.
        env.put("AWS_SECRET_ACCESS_KEY_FILE", Files.writeString(dir.resolve("s3-secret"), "deploy-secret-key\n").toString());
        env.put("RECINGEST_JWT_SECRET_FILE",
                Files.writeString(dir.resolve("jwt"), "deploy-tests-jwt-secret-0123456789abcdef\n").toString());
        env.put("RECINGEST_ADMIN_TOKEN", "deploy-tests-admin-token");
        env.put("RECINGEST_HOST", "127.0.0.1");
        env.put("RECINGEST_MERGE_WORK_DIR", Files.createDirectories(dir.resolve("merge-work")).toString());
        return env;
    }

    @Test
    void everyMetricTheDashboardAndTheAlertsUseIsExported() throws Exception {
        Map<String, String> env = env("redis://:" + PASSWORD + "@127.0.0.1:" + redisPort);
        int gatewayPort = FreePort.pick();
        int mergerPort = FreePort.pick();
        env.put("RECINGEST_PORT", Integer.toString(gatewayPort));
        env.put("RECINGEST_METRICS_PORT", Integer.toString(mergerPort));
        try (LaunchedProcess gateway = LaunchedProcess.start("gateway", env, dir.resolve("gateway.log"));
             LaunchedProcess merger = LaunchedProcess.start("merger", env, dir.resolve("merger.log"))) {
            URI gw = URI.create("http://127.0.0.1:" + gatewayPort);
            URI mg = URI.create("http://127.0.0.1:" + mergerPort);
            // Ready means Redis answered an authenticated PING (and S3 answered).
            gateway.awaitOk(gw.resolve("/readyz"), Duration.ofSeconds(90));
            merger.awaitOk(mg.resolve("/healthz"), Duration.ofSeconds(90));
            String readyz = LaunchedProcess.get(gw.resolve("/readyz")).body();
            assertTrue(readyz.contains("\"redis\":\"ok\""), readyz);
            // The merger's backlog census read Redis with the password: its gauges hold numbers, not NaN.
            String mergerMetrics = awaitSeries(mg.resolve("/metrics"), "recingest_merge_queue_jobs 0.0");

            Map<String, List<Map<String, String>>> exported = series(LaunchedProcess.get(gw.resolve("/metrics")).body());
            series(mergerMetrics).forEach((k, v) -> exported.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));

            List<String> missing = new ArrayList<>();
            int checked = 0;
            for (Map.Entry<String, List<String>> source : expressions().entrySet()) {
                for (String expr : source.getValue()) {
                    for (PromQl.Selector s : PromQl.selectors(expr)) {
                        checked++;
                        if (!isExported(s, exported)) {
                            missing.add(source.getKey() + ": " + s + " in " + expr.replaceAll("\\s+", " "));
                        }
                    }
                }
            }
            assertTrue(missing.isEmpty(), "selected but not exported:\n" + String.join("\n", missing));
            assertTrue(checked > 40, "selectors checked: " + checked);
            // And the check can fail: a label value that is not exported is caught.
            assertFalse(isExported(new PromQl.Selector("recingest_webhook_deliveries_total",
                    Map.of("outcome", "given_up")), exported));
            assertFalse(isExported(new PromQl.Selector("recingest_ack_latency_seconds", Map.of()), exported),
                    "a histogram exports _bucket, _sum and _count, not its base name");

            for (LaunchedProcess p : List.of(gateway, merger)) {
                assertFalse(p.log().contains(PASSWORD), "the Redis password is in a log");
                assertFalse(p.log().contains("deploy-tests-jwt-secret"), "the JWT secret is in a log");
            }
        }
    }

    @Test
    void aWrongRedisPasswordStopsTheGatewayWithoutPrintingIt() throws Exception {
        String wrong = "not-the-password-7c1e";
        Map<String, String> env = env("redis://:" + wrong + "@127.0.0.1:" + redisPort);
        env.put("RECINGEST_PORT", Integer.toString(FreePort.pick()));
        try (LaunchedProcess gateway = LaunchedProcess.start("gateway", env, dir.resolve("wrong-password.log"))) {
            Integer exit = gateway.awaitExit(Duration.ofSeconds(90));
            assertNotNull(exit, "the gateway kept running with a wrong Redis password:\n" + gateway.log());
            assertNotEquals(0, exit.intValue());
            String log = gateway.log();
            assertTrue(log.contains("WRONGPASS") || log.contains("invalid password") || log.contains("NOAUTH"), log);
            assertFalse(log.contains(wrong), "the wrong password is printed:\n" + log);
        }
    }

    /** Every PromQL expression of the dashboard, the alert rules and the PrometheusRule, by file. */
    private static Map<String, List<String>> expressions() throws Exception {
        Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        out.put(GrafanaDashboardTest.DASHBOARD, Dashboard.read(Tools.file(GrafanaDashboardTest.DASHBOARD)).expressions());
        YAMLMapper yaml = new YAMLMapper();
        List<String> rules = new ArrayList<>();
        for (JsonNode g : yaml.readTree(Tools.file("deploy/prometheus/alerts.yml").toFile()).get("groups")) {
            g.get("rules").forEach(r -> rules.add(r.get("expr").asText()));
        }
        out.put("deploy/prometheus/alerts.yml", rules);
        List<String> operator = new ArrayList<>();
        JsonNode pr = KubernetesObjects.documents(Files.readString(
                Tools.file("deploy/kubernetes/components/prometheus-operator/prometheusrule.yaml"))).get(0);
        for (JsonNode g : pr.at("/spec/groups")) {
            g.get("rules").forEach(r -> operator.add(r.get("expr").asText()));
        }
        out.put("prometheusrule.yaml", operator);
        return out;
    }

    private static boolean isExported(PromQl.Selector s, Map<String, List<Map<String, String>>> exported) {
        if (SYNTHETIC.contains(s.metric())) {
            return true;
        }
        List<Map<String, String>> all = exported.get(s.metric());
        if (all == null) {
            return false;
        }
        return all.stream().anyMatch(labels -> s.equals().entrySet().stream()
                .allMatch(e -> TARGET_LABELS.contains(e.getKey()) || e.getValue().equals(labels.get(e.getKey()))));
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)})? \\S+", Pattern.MULTILINE);
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** The series of a Prometheus text exposition: metric name to the label sets it has. */
    static Map<String, List<Map<String, String>>> series(String text) {
        Map<String, List<Map<String, String>>> out = new HashMap<>();
        Matcher m = SAMPLE.matcher(text);
        while (m.find()) {
            Map<String, String> labels = new HashMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            out.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(labels);
        }
        return out;
    }

    private static String awaitSeries(URI metrics, String line) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            body = LaunchedProcess.get(metrics).body();
            if (body.contains("\n" + line + "\n")) {
                return body;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no '" + line + "' in /metrics within 60 s:\n" + body);
    }
}
