package dev.recingest.agent.push;

import dev.recingest.client.admin.RecordingStatus;
import java.time.Duration;

/**
 * The outcome of a push.
 *
 * @param chunks  chunks in the recording, as {@code stopped} counted them
 * @param bytes   bytes in the recording, as {@code stopped} counted them
 * @param state   STOPPED when the merge was not awaited, else the final state (COMPLETED, FAILED, ABORTED)
 * @param output  the merged MP4 when COMPLETED, else null
 * @param error   why the merge failed when FAILED, else null
 * @param elapsed from start to the last answer
 */
public record PushResult(String recordingId, long chunks, long bytes, String state, RecordingStatus.Output output,
                         RecordingStatus.Failure error, Duration elapsed) {

    public boolean completed() {
        return "COMPLETED".equals(state);
    }
}
