package dev.recingest.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.protocol.Json;
import dev.recingest.state.Recording;
import java.util.LinkedHashMap;
import java.util.Map;

/** The admin API's JSON form of a recording (docs/API.md). */
final class RecordingView {

    private RecordingView() {
    }

    static Map<String, Object> of(Recording r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("recordingId", r.id().value());
        m.put("state", r.state().name());
        m.put("contentType", r.contentType());
        m.put("mode", r.mode().wire());
        m.put("chunks", r.chunks());
        m.put("bytes", r.bytes());
        m.put("parts", r.parts().size());
        m.put("createdAt", r.createdAt() == null ? null : r.createdAt().toString());
        m.put("updatedAt", r.updatedAt() == null ? null : r.updatedAt().toString());
        JsonNode metadata = Json.readMetadata(r.metadata());
        if (metadata != null) {
            m.put("metadata", metadata);
        }
        if (r.outputKey() != null) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("key", r.outputKey());
            out.put("size", r.outputSize());
            out.put("durationSeconds", r.durationSeconds());
            m.put("output", out);
        }
        if (r.errorCode() != null) {
            m.put("error", Map.of("code", r.errorCode(), "message", r.errorMessage() == null ? "" : r.errorMessage()));
        }
        return m;
    }
}
