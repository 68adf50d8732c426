package dev.recingest.gateway.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The recorder module's protocol tests ({@code web/recorder/test/protocol.test.mjs}: seqs, window, flow
 * control, SEQ_GAP, INCOMPLETE, nacks, resume, fatal closes, parts, against a scripted gateway) run by
 * Node's test runner, so that {@code ./mvnw verify} runs them. They need no npm package. Skipped without node.
 */
class RecorderModuleTest {

    @Test
    void theModulesProtocolTestsPassInNode() throws Exception {
        Path dir = Path.of("..", "web", "recorder");
        Process p;
        try {
            p = new ProcessBuilder("node", "--test", "test/protocol.test.mjs").directory(dir.toFile())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("no node on PATH: skipping the recorder module's protocol tests (" + e.getMessage() + ")");
            return;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
        }
        System.out.println(out.lines().filter(l -> l.startsWith("# ") && !l.startsWith("# Subtest")).toList());
        assertEquals(0, p.exitValue(), out);
    }
}
