package dev.recingest.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.RecordingId;
import dev.recingest.storage.OutputStore;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Recordings whose Redis keys have expired (RECINGEST_RETENTION_REDIS) but whose objects remain: S3 is
 * the durable record, and a recording's {@code manifest.json} (written when it stopped, rewritten when it
 * completed or failed) says everything the admin API shows about it.
 */
final class ArchivedRecordings {

    private final OutputStore outputs;

    ArchivedRecordings(OutputStore outputs) {
        this.outputs = outputs;
    }

    /** The recording as its manifest describes it, in the admin API's form plus {@code "archived":true}. */
    CompletableFuture<Optional<Map<String, Object>>> find(RecordingId id) {
        return outputs.getBytes(outputs.keys().manifest(id)).handle((bytes, error) -> {
            if (error != null) {
                if (IngestException.from(error).code() == ErrorCode.NOT_FOUND) {
                    return Optional.<Map<String, Object>>empty();
                }
                throw IngestException.from(error);
            }
            try {
                return Optional.of(view(Json.MAPPER.readTree(bytes)));
            } catch (IOException e) {
                throw new IngestException(ErrorCode.INTERNAL, "unreadable manifest of " + id, e);
            }
        }).thenCompose(found -> found.isEmpty() || found.get().containsKey("parts")
                ? CompletableFuture.completedFuture(found)
                // A manifest written at stop or failure does not list the parts; the marks next to the chunks do.
                : outputs.list(outputs.keys().partsPrefix(id)).thenApply(marks -> {
                    found.get().put("parts", 1 + marks.size());
                    return found;
                }));
    }

    private static Map<String, Object> view(JsonNode m) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("recordingId", m.path("recordingId").asText());
        v.put("state", m.path("state").asText());
        v.put("contentType", m.path("contentType").asText());
        v.put("mode", m.path("mode").asText());
        v.put("chunks", m.path("chunkCount").asLong());
        v.put("bytes", m.path("bytes").asLong());
        if (m.path("parts").isArray() && m.path("parts").size() > 0) {
            v.put("parts", m.path("parts").size()); // a merged recording's manifest lists them
        }
        v.put("createdAt", text(m, "createdAt"));
        // The last change the manifest records: completed, failed, or (a manifest written at stop) stopped.
        v.put("updatedAt", text(m, "completedAt") != null ? text(m, "completedAt")
                : text(m, "failedAt") != null ? text(m, "failedAt") : text(m, "stoppedAt"));
        if (m.hasNonNull("metadata")) {
            v.put("metadata", m.get("metadata"));
        }
        JsonNode out = m.path("output");
        if (out.hasNonNull("key")) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("key", out.get("key").asText());
            o.put("size", out.path("size").asLong());
            o.put("durationSeconds", out.hasNonNull("durationSeconds") ? out.get("durationSeconds").asDouble() : null);
            v.put("output", o);
        }
        JsonNode error = m.path("error");
        if (error.hasNonNull("code")) {
            v.put("error", Map.of("code", error.get("code").asText(), "message", error.path("message").asText("")));
        }
        v.put("archived", true);
        return v;
    }

    private static String text(JsonNode m, String field) {
        return m.hasNonNull(field) ? m.get(field).asText() : null;
    }
}
