package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.Message;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RECINGEST_LOG_FORMAT=json: a gateway process writes every log event as one JSON object per line, and
 * what happened to a recording is in them; an unknown format is refused before anything starts.
 */
class JsonLogsIT {

    @TempDir
    Path dir;

    @Test
    void aGatewayWithJsonLogsWritesOneJsonObjectPerLineNamingTheRecording() throws Exception {
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
                recordingNamed |= event.get("formattedMessage").asText().contains("recordingId=json-logged");
            }
            assertTrue(recordingNamed, "an event names the recording: " + lines);
        }
    }

    @Test
    void anUnknownFormatIsRefusedNamingTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Logging.format("xml"));
        assertEquals("RECINGEST_LOG_FORMAT must be text or json, not 'xml'", e.getMessage());
        assertEquals(Logging.Format.JSON, Logging.format(" JSON "));
    }
}
