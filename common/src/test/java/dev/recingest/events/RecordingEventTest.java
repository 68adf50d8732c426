package dev.recingest.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.RecordingId;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordingEventTest {

    private static final RecordingId ID = RecordingId.of("room-42-cam-1");

    private static Map<String, String> completedMeta() {
        Map<String, String> m = new HashMap<>(Map.of("state", "COMPLETED", "contentType", "video/webm;codecs=vp8,opus",
                "mode", "stream", "chunks", "42", "bytes", "2752512", "createdAt", "1700000000000",
                "stoppedAt", "1700000020000", "completedAt", "1700000023000", "metadata", "{\"room\":\"42\"}"));
        m.putAll(Map.of("outputKey", "room-42-cam-1/recording.mp4", "outputSize", "2355179",
                "durationSeconds", "20.021", "updatedAt", "1700000023000"));
        return m;
    }

    @Test
    void aCompletedEventCarriesTheOutputAndItsIdIsStable() throws Exception {
        RecordingEvent e = RecordingEvent.of(EventType.COMPLETED, ID, completedMeta(), Clock.systemUTC());
        JsonNode j = Json.MAPPER.readTree(e.json());
        assertEquals(e.id(), j.get("id").asText());
        assertEquals("recording.completed", j.get("type").asText());
        assertEquals("2023-11-14T22:13:43Z", j.get("occurredAt").asText());
        JsonNode r = j.get("recording");
        assertEquals("COMPLETED", r.get("state").asText());
        assertEquals(42, r.get("chunks").asLong());
        assertEquals("42", r.get("metadata").get("room").asText());
        assertEquals("room-42-cam-1/recording.mp4", r.get("output").get("key").asText());
        assertEquals(2355179, r.get("output").get("size").asLong());
        assertEquals(20.021, r.get("output").get("durationSeconds").asDouble());
        assertEquals("2023-11-14T22:13:40Z", r.get("stoppedAt").asText());

        assertEquals(e.id(), RecordingEvent.of(EventType.COMPLETED, ID, completedMeta(), Clock.systemUTC()).id(),
                "announced again, the same state change has the same id");
        Map<String, String> later = completedMeta();
        later.put("completedAt", "1700000099000");
        assertNotEquals(e.id(), RecordingEvent.of(EventType.COMPLETED, ID, later, Clock.systemUTC()).id());
        assertNotEquals(e.id(), RecordingEvent.of(EventType.STOPPED, ID, completedMeta(), Clock.systemUTC()).id());
    }

    @Test
    void aStoppedEventSaysStoppedEvenIfTheRecordHasMovedOn() throws Exception {
        JsonNode r = Json.MAPPER.readTree(RecordingEvent.of(EventType.STOPPED, ID, completedMeta(), Clock.systemUTC())
                .json()).get("recording");
        assertEquals("STOPPED", r.get("state").asText());
        assertFalse(r.has("output"), "no output in a stopped event");
        assertFalse(r.has("completedAt"));
    }
}
