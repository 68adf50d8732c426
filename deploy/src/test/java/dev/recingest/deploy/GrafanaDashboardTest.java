package dev.recingest.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provisioned Grafana dashboard and its provisioning files. */
class GrafanaDashboardTest {

    static final String DASHBOARD = "deploy/grafana/dashboards/recingest.json";
    private static final Set<String> PANEL_TYPES = Set.of("row", "timeseries", "stat");
    private static final Set<String> UNITS = Set.of("short", "ops", "Bps", "bytes", "s");

    @TempDir
    Path tmp;

    @Test
    void isAWellFormedDashboard() throws Exception {
        Dashboard d = Dashboard.read(Tools.file(DASHBOARD));
        assertTrue(d.uid().matches("[a-zA-Z0-9_-]{1,40}"), "Grafana uids are at most 40 characters: " + d.uid());
        assertTrue(d.schemaVersion() >= 36, "schemaVersion " + d.schemaVersion());
        Dashboard.Variable ds = d.templating().list().stream().filter(v -> v.name().equals("datasource")).findFirst()
                .orElseThrow(() -> new AssertionError("no datasource variable"));
        assertEquals("datasource", ds.type());
        assertEquals("prometheus", ds.query());

        Set<Integer> ids = new HashSet<>();
        List<Dashboard.Panel> placed = new ArrayList<>();
        for (Dashboard.Panel p : d.allPanels()) {
            assertTrue(ids.add(p.id()), "duplicate panel id " + p.id());
            assertTrue(PANEL_TYPES.contains(p.type()), p.title() + ": panel type " + p.type());
            Dashboard.GridPos g = p.gridPos();
            assertTrue(g.w() > 0 && g.h() > 0 && g.x() >= 0 && g.y() >= 0 && g.x() + g.w() <= 24,
                    p.title() + ": gridPos " + g);
            for (Dashboard.Panel other : placed) {
                assertFalse(overlap(g, other.gridPos()), p.title() + " overlaps " + other.title());
            }
            placed.add(p);
            if (p.type().equals("row")) {
                continue;
            }
            assertFalse(p.description() == null || p.description().isBlank(), p.title() + ": no description");
            assertEquals("${datasource}", p.datasource().uid(), p.title());
            assertTrue(UNITS.contains(String.valueOf(p.fieldConfig().defaults().get("unit"))), p.title() + ": unit");
            assertFalse(p.targets() == null || p.targets().isEmpty(), p.title() + ": no query");
            Set<String> refIds = new HashSet<>();
            for (Dashboard.Target t : p.targets()) {
                assertTrue(refIds.add(t.refId()), p.title() + ": duplicate refId " + t.refId());
                assertEquals("${datasource}", t.datasource().uid(), p.title());
            }
        }
    }

    /** What issue 13 asks the dashboard to show, by the metric behind each item. */
    @Test
    void showsEveryRequiredFigure() throws Exception {
        Set<String> used = Dashboard.read(Tools.file(DASHBOARD)).expressions().stream()
                .flatMap(e -> PromQl.selectors(e).stream()).map(PromQl.Selector::metric).collect(Collectors.toSet());
        for (String metric : List.of(
                "recingest_chunks_total",                          // chunks/s
                "recingest_chunk_bytes_total",                     // bytes/s
                "recingest_ack_latency_seconds_bucket",            // ack latency quantiles across gateways
                "recingest_errors_total",                          // nacks and errors by code
                "recingest_connections",
                "recingest_inflight_bytes",
                "recingest_recordings_unfinished",                 // recordings by state
                "recingest_merge_queue_jobs",                      // merge queue depth
                "recingest_merge_queue_oldest_age_seconds",        // and the age of its oldest job
                "recingest_merge_duration_seconds_bucket",
                "recingest_webhook_deliveries_total")) {           // webhook failures
            assertTrue(used.contains(metric), "the dashboard does not show " + metric);
        }
    }

    /** Every query is valid PromQL, by promtool, with Grafana's variables given a value. */
    @Test
    void everyQueryParses() throws Exception {
        Path promtool = Tools.require("promtool", PrometheusRulesTest.INSTALL);
        List<String> exprs = Dashboard.read(Tools.file(DASHBOARD)).expressions();
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (int i = 0; i < exprs.size(); i++) {
            String expr = exprs.get(i).replace("$__rate_interval", "1m").replace("$__range", "1h");
            rules.append("      - record: dashboard:query_").append(i).append("\n        expr: ")
                    .append(new ObjectMapper().writeValueAsString(expr)).append('\n');
        }
        Files.writeString(tmp.resolve("dashboard-rules.yml"), rules);
        Tools.Run run = Tools.run(tmp, promtool.toString(), "check", "rules", "dashboard-rules.yml")
                .assertOk("promtool check rules (the dashboard's queries)");
        assertTrue(run.output().contains(exprs.size() + " rules found"), run.output());
    }

    @Test
    void aMisspelledFieldOrAMissingOneFailsTheRead() throws Exception {
        String json = Files.readString(Tools.file(DASHBOARD));
        Files.writeString(tmp.resolve("typo.json"), json.replaceFirst("\"gridPos\"", "\"gridpos\""));
        assertThrows(MismatchedInputException.class, () -> Dashboard.read(tmp.resolve("typo.json")));
        Files.writeString(tmp.resolve("missing.json"), json.replaceFirst("\"expr\":", "\"exp\":"));
        assertThrows(MismatchedInputException.class, () -> Dashboard.read(tmp.resolve("missing.json")));
    }

    @Test
    void provisioningPointsAtTheDashboardsAndThePrometheus() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode ds = yaml.readTree(Tools.file("deploy/grafana/provisioning/datasources/prometheus.yml").toFile());
        assertEquals(1, ds.get("apiVersion").asInt());
        JsonNode prometheus = ds.get("datasources").get(0);
        assertEquals("prometheus", prometheus.get("type").asText());
        assertEquals("http://prometheus:9090", prometheus.get("url").asText(), "the compose service's address");
        JsonNode dashboards = yaml.readTree(Tools.file("deploy/grafana/provisioning/dashboards/recingest.yml").toFile());
        JsonNode provider = dashboards.get("providers").get(0);
        assertEquals("file", provider.get("type").asText());
        // docker-compose.yml mounts deploy/grafana/dashboards there (ComposeFileTest checks the mount).
        assertEquals(ComposeFileTest.GRAFANA_DASHBOARDS, provider.get("options").get("path").asText());
    }

    private static boolean overlap(Dashboard.GridPos a, Dashboard.GridPos b) {
        return a.x() < b.x() + b.w() && b.x() < a.x() + a.w() && a.y() < b.y() + b.h() && b.y() < a.y() + a.h();
    }
}
