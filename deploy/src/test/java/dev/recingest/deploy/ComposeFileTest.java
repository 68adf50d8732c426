package dev.recingest.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.recingest.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docker-compose.yml} as Compose reads it ({@code docker-compose config}, Debian's docker-compose;
 * no Docker engine is needed to interpolate and validate the file), with the secrets of
 * {@code deploy/.env.example} filled in.
 */
class ComposeFileTest {

    /** Where the compose file mounts deploy/grafana/dashboards (the provisioning file points there). */
    static final String GRAFANA_DASHBOARDS = "/var/lib/grafana/dashboards";
    private static final String REDIS_PASSWORD = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path tmp;
    private Path compose;

    @BeforeEach
    void tool() {
        compose = Tools.require("docker-compose", "apt-get install docker-compose; CI installs it");
    }

    @Test
    void refusesToStartWithoutTheSecrets() throws Exception {
        Path empty = Files.writeString(tmp.resolve("empty.env"), "# nothing\n");
        Tools.Run run = config(empty);
        assertNotEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("in .env (see deploy/.env.example)"), run.output());
    }

    @Test
    void theStackAsComposeReadsIt() throws Exception {
        JsonNode services = render().get("services");

        // nginx starts whatever state the gateways are in (one broken gateway used to keep it down).
        assertFalse(services.get("nginx").has("depends_on"), "nginx waits for: " + services.get("nginx").get("depends_on"));

        // Redis has a password, and every process that talks to it has it in its URI.
        JsonNode redis = services.get("redis");
        assertTrue(redis.get("command").toString().contains("--requirepass"), redis.toString());
        assertEquals(REDIS_PASSWORD, redis.get("environment").get("REDIS_PASSWORD").asText());
        assertTrue(redis.get("healthcheck").get("test").toString().contains("REDISCLI_AUTH"), redis.toString());
        for (String s : List.of("gateway-1", "gateway-2", "merger")) {
            assertEquals("redis://:" + REDIS_PASSWORD + "@redis:6379",
                    services.get(s).get("environment").get("RECINGEST_REDIS_URI").asText(), s);
        }

        // A gateway gets longer than its drain to stop; a merger longer than its shutdown timeout.
        for (String s : List.of("gateway-1", "gateway-2")) {
            Duration drain = Settings.of(Map.of()).duration("RECINGEST_DRAIN_TIMEOUT", Duration.ofSeconds(30));
            assertTrue(grace(services.get(s)).compareTo(drain.plusSeconds(5)) > 0, s + " stop_grace_period");
        }
        assertTrue(grace(services.get("merger")).compareTo(Duration.ofSeconds(35)) > 0, "merger stop_grace_period");

        // Prometheus loads the alert rules; Grafana the data source and the dashboard.
        assertTrue(mounts(services.get("prometheus")).contains(
                Tools.file("deploy/prometheus/alerts.yml") + ":/etc/prometheus/alerts.yml:ro"), services.get("prometheus").toString());
        List<String> grafana = mounts(services.get("grafana"));
        assertTrue(grafana.contains(Tools.file("deploy/grafana/provisioning") + ":/etc/grafana/provisioning:ro"), grafana.toString());
        assertTrue(grafana.contains(Tools.file("deploy/grafana/dashboards") + ":" + GRAFANA_DASHBOARDS + ":ro"), grafana.toString());

        // Every file or folder bind-mounted from the repository exists.
        services.fields().forEachRemaining(e -> {
            for (String m : mounts(e.getValue())) {
                if (m.startsWith("/") && m.indexOf(':') > 0) { // not an anonymous volume
                    Path source = Path.of(m.substring(0, m.indexOf(':')));
                    assertTrue(Files.exists(source), e.getKey() + " mounts a missing " + source);
                }
            }
        });
    }

    private JsonNode render() throws Exception {
        String example = Files.readString(Tools.file("deploy/.env.example"));
        String env = example.replaceAll("(?m)^REDIS_PASSWORD=.*$", "REDIS_PASSWORD=" + REDIS_PASSWORD)
                .replace("CHANGE_ME", "test");
        Path file = Files.writeString(tmp.resolve("test.env"), env);
        Tools.Run run = config(file).assertOk("docker-compose config");
        return new ObjectMapper(new YAMLFactory()).readTree(run.stdout());
    }

    private Tools.Run config(Path envFile) {
        return Tools.run(Tools.repository(), compose.toString(), "--project-directory", Tools.repository().toString(),
                "-f", "docker-compose.yml", "--env-file", envFile.toString(), "config");
    }

    private static Duration grace(JsonNode service) {
        return Settings.of(Map.of("G", service.get("stop_grace_period").asText())).duration("G", Duration.ZERO);
    }

    private static List<String> mounts(JsonNode service) {
        List<String> out = new ArrayList<>();
        if (service.has("volumes")) {
            service.get("volumes").forEach(v -> out.add(v.asText()));
        }
        return out;
    }
}
