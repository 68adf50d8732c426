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
        return of(r, Map.of());
    }

    /**
     * With {@code live}, the live rendition's status as its worker wrote it ({@link dev.recingest.state.LiveIndex#status}),
     * when there is one: {@code live.state} ({@code LIVE}, {@code ENDED} once the playlist is complete,
     * {@code FAILED}), the segments listed and their duration, how many committed chunks the rendition has not
     * read yet, when the first segment was listed, and the playlist's path.
     */
    static Map<String, Object> of(Recording r, Map<String, String> live) {
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
        if (live.containsKey("state")) {
            m.put("live", liveView(r, live));
        }
        if (r.errorCode() != null) {
            m.put("error", Map.of("code", r.errorCode(), "message", r.errorMessage() == null ? "" : r.errorMessage()));
        }
        return m;
    }

    private static Map<String, Object> liveView(Recording r, Map<String, String> live) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("state", live.get("state"));
        v.put("segments", Long.parseLong(live.getOrDefault("segments", "0")));
        v.put("durationSeconds", Double.parseDouble(live.getOrDefault("durationSeconds", "0")));
        if (live.containsKey("chunksBehind")) {
            v.put("chunksBehind", Long.parseLong(live.get("chunksBehind")));
        }
        if (live.containsKey("liveAt")) {
            v.put("liveAt", java.time.Instant.ofEpochMilli(Long.parseLong(live.get("liveAt"))).toString());
        }
        if (live.containsKey("updatedAt")) {
            v.put("updatedAt", java.time.Instant.ofEpochMilli(Long.parseLong(live.get("updatedAt"))).toString());
        }
        v.put("playlist", AdminRoute.LIVE.template().replace("{id}", r.id().value()));
        return v;
    }
}
