package dev.recingest.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules and the compose Prometheus config, checked by Prometheus's own promtool: syntax, and
 * the unit tests of {@code deploy/prometheus/alerts.test.yml} (each alert fires on its failure, with its
 * rendered annotations, and stays quiet on healthy series).
 */
class PrometheusRulesTest {

    static final String INSTALL = "apt-get install prometheus; CI installs it";

    @TempDir
    Path tmp;

    @Test
    void rulesAndConfigPassPromtoolCheck() {
        Path promtool = Tools.require("promtool", INSTALL);
        Path dir = Tools.file("deploy/prometheus");
        Tools.Run rules = Tools.run(dir, promtool.toString(), "check", "rules", "alerts.yml").assertOk("promtool check rules");
        System.out.println(rules.output());
        // check config also loads the rule_files it names.
        Tools.Run config = Tools.run(dir, promtool.toString(), "check", "config", "prometheus.yml")
                .assertOk("promtool check config");
        System.out.println(config.output());
        assertTrue(config.output().contains("1 rule files found"), config.output());
    }

    @Test
    void alertUnitTestsPass() {
        Path promtool = Tools.require("promtool", INSTALL);
        Tools.Run run = Tools.run(Tools.file("deploy/prometheus"), promtool.toString(), "test", "rules", "alerts.test.yml")
                .assertOk("promtool test rules");
        System.out.println(run.output());
        assertTrue(run.output().contains("SUCCESS"), run.output());
    }

    /** The unit tests can fail: the same tests against rules with a threshold moved do. */
    @Test
    void theUnitTestsCatchAChangedThreshold() throws Exception {
        Path promtool = Tools.require("promtool", INSTALL);
        Path dir = Tools.file("deploy/prometheus");
        String rules = Files.readString(dir.resolve("alerts.yml"));
        String changed = rules.replace("max(recingest_merge_queue_oldest_age_seconds) > 900",
                "max(recingest_merge_queue_oldest_age_seconds) > 3600");
        assertTrue(!changed.equals(rules), "alerts.yml no longer has the merge lag threshold this test moves");
        Files.writeString(tmp.resolve("alerts.yml"), changed);
        Files.copy(dir.resolve("alerts.test.yml"), tmp.resolve("alerts.test.yml"));
        Tools.Run run = Tools.run(tmp, promtool.toString(), "test", "rules", "alerts.test.yml");
        assertTrue(run.exitCode() != 0 && run.output().contains("RecingestMergeQueueLag"), run.output());
    }
}
