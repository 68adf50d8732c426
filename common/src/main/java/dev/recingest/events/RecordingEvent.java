package dev.recingest.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.MetaFields;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One event as the receiver gets it: {@code json} is the exact body that is signed and POSTed.
 *
 * <pre>{"id":"evt_…","type":"recording.completed","occurredAt":"…Z",
 *  "recording":{"recordingId":"…","state":"COMPLETED","contentType":"…","mode":"stream","chunks":42,
 *   "bytes":2752512,"createdAt":"…","stoppedAt":"…","completedAt":"…","metadata":{…},
 *   "output":{"key":"…/recording.mp4","size":2355179,"durationSeconds":20.021}}}</pre>
 *
 * <p>The id is derived from the recording, the type and the moment the state was entered, so the same
 * state change announced twice (a merger that died between recording the outcome and announcing it)
 * carries the same id, and a receiver that dedupes by id sees it once.
 */
public record RecordingEvent(String id, EventType type, Instant occurredAt, RecordingId recordingId, String json) {

    /** Describes the recording from its meta hash ({@link dev.recingest.state.RecordingStore#fields}). */
    public static RecordingEvent of(EventType type, RecordingId recordingId, Map<String, String> meta, Clock clock) {
        String millis = meta.get(type.timeField());
        if (millis == null || millis.isEmpty()) {
            millis = meta.getOrDefault(MetaFields.UPDATED_AT, Long.toString(clock.millis()));
        }
        Instant occurredAt = Instant.ofEpochMilli(Long.parseLong(millis));
        String id = "evt_" + UUID.nameUUIDFromBytes((recordingId.value() + "\n" + type.wire() + "\n" + millis)
                .getBytes(StandardCharsets.UTF_8));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("type", type.wire());
        body.put("occurredAt", occurredAt.toString());
        body.put("recording", recording(type, recordingId, meta));
        return new RecordingEvent(id, type, occurredAt, recordingId, Json.write(body));
    }

    private static Map<String, Object> recording(EventType type, RecordingId id, Map<String, String> meta) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("recordingId", id.value());
        // The state the event announces, not whatever the record says by the time it is read.
        r.put("state", type == EventType.LIVE ? meta.getOrDefault(MetaFields.STATE, type.state()) : type.state());
        r.put("contentType", meta.get(MetaFields.CONTENT_TYPE));
        r.put("mode", meta.getOrDefault(MetaFields.MODE, "stream"));
        if (meta.containsKey(MetaFields.CHUNKS)) {
            r.put("chunks", Long.parseLong(meta.get(MetaFields.CHUNKS)));
        }
        r.put("bytes", Long.parseLong(meta.getOrDefault(MetaFields.BYTES, "0")));
        for (String t : new String[] {"createdAt", "stoppedAt", "completedAt", "failedAt", "abortedAt", "deletedAt"}) {
            String v = meta.get(t);
            if (v != null && !v.isEmpty() && (!t.equals("completedAt") || type == EventType.COMPLETED)
                    && (!t.equals("failedAt") || type == EventType.FAILED)
                    && (!t.equals("abortedAt") || type == EventType.ABORTED)
                    && (!t.equals("deletedAt") || type == EventType.DELETED)) {
                r.put(t, Instant.ofEpochMilli(Long.parseLong(v)).toString());
            }
        }
        JsonNode metadata = Json.readMetadata(meta.get(MetaFields.METADATA));
        if (metadata != null) {
            r.put("metadata", metadata);
        }
        if (type == EventType.COMPLETED && meta.containsKey(MetaFields.OUTPUT_KEY)) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("key", meta.get(MetaFields.OUTPUT_KEY));
            out.put("size", Long.parseLong(meta.getOrDefault(MetaFields.OUTPUT_SIZE, "0")));
            out.put("durationSeconds", meta.containsKey(MetaFields.DURATION_SECONDS)
                    ? Double.valueOf(meta.get(MetaFields.DURATION_SECONDS)) : null);
            r.put("output", out);
        }
        if (type == EventType.LIVE) {
            r.put("live", Map.of("playlist", "/v1/recordings/" + id.value() + "/live.m3u8",
                    "liveAt", Instant.ofEpochMilli(Long.parseLong(meta.get("liveAt"))).toString()));
        }
        if (type == EventType.FAILED && meta.containsKey(MetaFields.ERROR_CODE)) {
            r.put("error", Map.of("code", meta.get(MetaFields.ERROR_CODE),
                    "message", meta.getOrDefault(MetaFields.ERROR_MESSAGE, "")));
        }
        return r;
    }
}
