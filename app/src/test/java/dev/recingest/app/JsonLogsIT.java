package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.Message;
import dev.recingest.testkit.Waits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RECINGEST_LOG_FORMAT=json: a gateway process and a merger process write every log event as one JSON object per
 * line, and what happened to a recording is in them, its id a key-value field ({@code "kvpList": [{"recording":
 * …}]}); an unknown format is refused before anything starts.
 */
class JsonLogsIT {

    @TempDir
    Path dir;

    @Test
    void aGatewayAndAMergerWithJsonLogsWriteOneJsonObjectPerLineNamingTheRecording() throws Exception {
        try (FailureCluster cluster = new FailureCluster(dir, false)) {
            GatewayProcess gateway = cluster.startGatewayProcess("json-logs", Map.of("RECINGEST_LOG_FORMAT", "json"));
            List<byte[]> chunks = Recorder.byteRanges(Media.tsH264Aac(dir, 2), 64 << 10);
            Message.Stopped stopped = new Recorder().record(Recorder.options(FailureCluster.ingestUri(gateway.port),
                    cluster.recorderToken()), "json-logged", "video/mp2t", chunks, Duration.ZERO, i -> { });
            assertEquals(chunks.size(), stopped.chunks());
            gateway.close();

            List<String> lines = Files.readAllLines(gateway.log, StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.isBlank()).toList();
            assertTrue(lines.size() >= 3, "the gateway logged: " + lines);
            boolean recordingNamed = false;
            for (String line : lines) {
                JsonNode event = Json.MAPPER.readTree(line);
                assertTrue(event.isObject() && event.hasNonNull("level") && event.hasNonNull("timestamp")
                        && event.hasNonNull("formattedMessage"), "not a JSON log event: " + line);
                recordingNamed |= JsonLogs.values(event, "recording").contains("json-logged");
            }
            assertTrue(recordingNamed, "an event names the recording in a key-value pair: " + lines);

            // The gateway queued the merge at the stop; a merger process with JSON logs merges it.
            Path mergerLog = dir.resolve("merger.log");
            Map<String, String> env = new HashMap<>(cluster.backendSettings(cluster.s3Server.endpoint().toString()));
            env.put("RECINGEST_LOG_FORMAT", "json");
            env.put("RECINGEST_MERGE_WORK_DIR", Files.createDirectories(dir.resolve("merge-work")).toString());
            try (MergerProcess merger = MergerProcess.start(env, List.of(), mergerLog)) {
                Waits.until(() -> jsonEvents(mergerLog).stream().anyMatch(e -> "merge completed".equals(
                        e.get("formattedMessage").asText()) && JsonLogs.values(e, "recording").contains("json-logged")),
                        Duration.ofSeconds(120), "a merge completed event with recording=json-logged:\n" + merger.logTail());
            }
            for (JsonNode event : jsonEvents(mergerLog)) {
                assertTrue(event.hasNonNull("level") && event.hasNonNull("timestamp"), "not a JSON log event: " + event);
            }
        }
    }

    /** The merger's JSON events so far (its log also holds what the JVM prints on stdout, which is not an event). */
    private static List<JsonNode> jsonEvents(Path log) {
        List<JsonNode> events = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.startsWith("{")) {
                    events.add(Json.MAPPER.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return events;
    }

    @Test
    void anUnknownFormatIsRefusedNamingTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Logging.format("xml"));
        assertEquals("RECINGEST_LOG_FORMAT must be text or json, not 'xml'", e.getMessage());
        assertEquals(Logging.Format.JSON, Logging.format(" JSON "));
    }
}
