package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.protocol.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/** Both log formats carry an event's key-value pairs: text after the phrase (quoted where needed), JSON as fields. */
class LogFormatTest {

    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();

    private LoggingEvent event(String message, Map<String, Object> pairs) {
        LoggingEvent e = new LoggingEvent(LogFormatTest.class.getName(), context.getLogger("dev.recingest.merge.X"),
                Level.INFO, message, null, null);
        e.setTimeStamp(0);
        e.setThreadName("merge-worker-0");
        pairs.forEach((k, v) -> e.addKeyValuePair(new KeyValuePair(k, v)));
        return e;
    }

    private String text(LoggingEvent e) {
        return "level=" + e.getLevel() + " " + e.getFormattedMessage() + new KeyValuePairs().convert(e);
    }

    @Test
    void textPrintsThePairsAfterThePhraseQuotingOnlyValuesThatNeedIt() {
        var pairs = new LinkedHashMap<String, Object>();
        pairs.put("recording", "rec-1");
        pairs.put("chunks", 3);
        pairs.put("reason", "storage \"s3\" is down");
        pairs.put("note", "");
        pairs.put("detail", "a=b");
        pairs.put("error", "line1\nline2");
        assertEquals("level=INFO merge finished recording=rec-1 chunks=3 reason=\"storage \\\"s3\\\" is down\" note=\"\" "
                + "detail=\"a=b\" error=\"line1\\nline2\"", text(event("merge finished", pairs)));
        assertEquals("level=INFO merge worker stopped", text(event("merge worker stopped", Map.of())));
    }

    @Test
    void theLaunchersLogbackSetupPrintsThePairs() throws Exception {
        LoggerContext launcher = new LoggerContext();
        launcher.setMDCAdapter(new LogbackMDCAdapter());
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            LogbackSetup.apply(launcher, null);
            launcher.getLogger("io.netty.util.ResourceLeakDetector").debug("not printed: io.netty is at INFO");
            launcher.getLogger("software.amazon.awssdk.X").info("not printed: software.amazon is at WARN");
            launcher.getLogger("dev.recingest.merge.MergePublication").atInfo().addKeyValue("recording", "rec-1")
                    .addKeyValue("codecs", "video h264->copy").log("merge completed");
        } finally {
            System.setErr(err);
            launcher.stop();
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertTrue(out.matches("(?s)\\S+ level=INFO logger=MergePublication thread=\\S+ merge completed recording=rec-1 "
                + "codecs=\"video h264->copy\"\\R"), out);
    }

    @Test
    void jsonCarriesThePairsAsFields() throws Exception {
        var encoder = Logging.jsonEncoder(context);
        var pairs = new LinkedHashMap<String, Object>();
        pairs.put("recording", "rec-1");
        pairs.put("chunks", 3);
        pairs.put("reason", "storage \"s3\" is down\nsince 10:00");
        String line = new String(encoder.encode(event("merge finished", pairs)), StandardCharsets.UTF_8);
        assertEquals(1, line.strip().lines().count(), line);
        JsonNode json = Json.MAPPER.readTree(line);
        assertEquals("merge finished", json.get("formattedMessage").asText());
        assertEquals(List.of("rec-1"), JsonLogs.values(json, "recording"));
        assertEquals(List.of("3"), JsonLogs.values(json, "chunks"));
        assertEquals(List.of("storage \"s3\" is down\nsince 10:00"), JsonLogs.values(json, "reason"));
        assertEquals(List.of(), JsonLogs.values(json, "attempt"));
    }
}
