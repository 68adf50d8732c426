package dev.recingest.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.protocol.RecordingId;
import java.util.Objects;

/**
 * One recording an agent makes: its id (required: it names the spool folder, and a restarted or backup
 * agent continues the recording by it), what it records, and the metadata sent in {@code start}.
 */
public record RecordingJob(String recordingId, LiveSource source, JsonNode metadata) {

    public RecordingJob {
        Objects.requireNonNull(source, "source");
        // The same rule as the gateway's; it also keeps the id from escaping the spool folder.
        try {
            recordingId = RecordingId.of(Objects.requireNonNull(recordingId, "recordingId")).value();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("recording id '" + recordingId + "' is not valid: 1 to 128 of "
                    + "A-Z a-z 0-9 _ -", e);
        }
    }
}
