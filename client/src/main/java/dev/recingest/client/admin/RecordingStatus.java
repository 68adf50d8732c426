package dev.recingest.client.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/**
 * A recording as {@code GET /v1/recordings/{id}} describes it. Fields the API did not send are null
 * (or 0); {@link #raw()} keeps the whole answer for fields this record does not name.
 *
 * @param output set when the state is COMPLETED
 * @param error  set when the state is FAILED
 */
public record RecordingStatus(String recordingId, String state, String contentType, String mode, long chunks,
                              long bytes, String createdAt, String updatedAt, Output output, Failure error,
                              JsonNode raw) {

    /** States after which nothing changes any more. */
    public static final Set<String> FINAL_STATES = Set.of("COMPLETED", "FAILED", "ABORTED");

    /** The merged MP4. */
    public record Output(String key, long size, Double durationSeconds) {
    }

    public record Failure(String code, String message) {
    }

    public boolean isFinal() {
        return FINAL_STATES.contains(state);
    }

    public boolean isCompleted() {
        return "COMPLETED".equals(state);
    }

    static RecordingStatus from(JsonNode n) {
        JsonNode out = n.path("output");
        Output output = out.isObject() ? new Output(text(out, "key"), out.path("size").asLong(),
                out.hasNonNull("durationSeconds") ? out.get("durationSeconds").asDouble() : null) : null;
        JsonNode err = n.path("error");
        Failure error = err.isObject() ? new Failure(text(err, "code"), text(err, "message")) : null;
        return new RecordingStatus(text(n, "recordingId"), text(n, "state"), text(n, "contentType"),
                text(n, "mode"), n.path("chunks").asLong(), n.path("bytes").asLong(), text(n, "createdAt"),
                text(n, "updatedAt"), output, error, n);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
