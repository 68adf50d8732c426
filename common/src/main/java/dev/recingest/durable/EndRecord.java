package dev.recingest.durable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.protocol.Json;
import dev.recingest.state.RecordingState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a recording ended, as storage records it: its {@code manifest.json} (STOPPED when it was stopped,
 * COMPLETED once merged, FAILED when the merge or the auto-stop failed) or its {@code tombstone.json}
 * (ABORTED; a deleted recording's tombstone says so with {@code deleted}).
 *
 * @param state   the recorded state
 * @param voids   void indices (at-least-once) of a stopped recording
 * @param fields  the meta fields this end gives the Redis record (epoch-ms timestamps, as Redis keeps them)
 * @param deleted a tombstone of a recording deleted through the admin API
 */
public record EndRecord(RecordingState state, List<Long> voids, Map<String, String> fields, boolean deleted) {

    /** Reads a manifest ({@link EndLedger} writes STOPPED and FAILED ones; the merger COMPLETED ones). */
    static EndRecord fromManifest(byte[] json) {
        JsonNode m = tree(json);
        Map<String, String> f = new LinkedHashMap<>();
        text(m, "contentType", f, "contentType");
        text(m, "mode", f, "mode");
        text(m, "seqMode", f, "seqMode");
        if (m.hasNonNull("metadata")) {
            f.put("metadata", Json.write(m.get("metadata")));
        }
        for (String t : new String[] {"createdAt", "stoppedAt", "completedAt", "failedAt"}) {
            if (m.hasNonNull(t)) {
                f.put(t, Long.toString(Instant.parse(m.get(t).asText()).toEpochMilli()));
            }
        }
        if (m.hasNonNull("chunkCount")) {
            f.put("chunks", Long.toString(m.get("chunkCount").asLong()));
        }
        if (m.hasNonNull("bytes")) {
            f.put("bytes", Long.toString(m.get("bytes").asLong()));
        }
        JsonNode out = m.path("output");
        if (out.hasNonNull("key")) {
            f.put("outputKey", out.get("key").asText());
            f.put("outputSize", Long.toString(out.path("size").asLong()));
            if (out.hasNonNull("durationSeconds")) {
                f.put("durationSeconds", Double.toString(out.get("durationSeconds").asDouble()));
            }
        }
        JsonNode error = m.path("error");
        if (error.hasNonNull("code")) {
            f.put("errorCode", error.get("code").asText());
            f.put("errorMessage", error.path("message").asText(""));
        }
        List<Long> voids = new ArrayList<>();
        m.path("void").forEach(v -> voids.add(v.asLong()));
        return new EndRecord(RecordingState.valueOf(m.path("state").asText("STOPPED")), voids, f, false);
    }

    /** Reads a tombstone ({@code {"recordingId":…,"state":"ABORTED"|"DELETED","at":"…Z"}}). */
    static EndRecord fromTombstone(byte[] json) {
        JsonNode t = tree(json);
        boolean deleted = "DELETED".equals(t.path("state").asText());
        String at = t.hasNonNull("at") ? Long.toString(Instant.parse(t.get("at").asText()).toEpochMilli()) : null;
        Map<String, String> f = new LinkedHashMap<>();
        if (at != null) {
            f.put("abortedAt", at);
            if (deleted) {
                f.put("deletedAt", at);
            }
        }
        return new EndRecord(RecordingState.ABORTED, List.of(), f, deleted);
    }

    private static JsonNode tree(byte[] json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void text(JsonNode m, String name, Map<String, String> out, String field) {
        if (m.hasNonNull(name)) {
            out.put(field, m.get(name).asText());
        }
    }
}
