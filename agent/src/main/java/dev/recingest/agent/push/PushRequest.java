package dev.recingest.agent.push;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.protocol.Mode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What to push and how. Start from {@link #of(Path, Mode)}.
 *
 * @param file         the media file
 * @param mode         {@code STREAM}: byte ranges of the file; {@code SEGMENTS}: MPEG-TS segments cut by FFmpeg
 * @param contentType  null to derive it from the extension (stream) or use video/mp2t (segments)
 * @param recordingId  null to let the gateway choose. Pushing again with the same id resumes the
 *                     recording: chunks the gateway already has are acked again, not duplicated
 * @param metadata     stored with the recording; null for none
 * @param chunkSize    stream mode: bytes per chunk
 * @param segmentTime  segments mode: target segment duration (cuts happen at keyframes)
 * @param waitForMerge poll the admin API until the recording is COMPLETED or FAILED
 * @param mergeTimeout how long to wait for that
 * @param cutTimeout   segments mode: how long FFmpeg may take to cut the file
 */
public record PushRequest(Path file, Mode mode, String contentType, String recordingId, JsonNode metadata,
                          int chunkSize, Duration segmentTime, boolean waitForMerge, Duration mergeTimeout,
                          Duration cutTimeout) {

    public static final Duration DEFAULT_MERGE_TIMEOUT = Duration.ofMinutes(10);
    public static final Duration DEFAULT_CUT_TIMEOUT = Duration.ofMinutes(30);

    public PushRequest {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(mode, "mode");
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunkSize must be positive");
        }
        if (segmentTime == null || segmentTime.toMillis() <= 0) {
            throw new IllegalArgumentException("segmentTime must be positive");
        }
        Objects.requireNonNull(mergeTimeout, "mergeTimeout");
        Objects.requireNonNull(cutTimeout, "cutTimeout");
    }

    /** Defaults: 256 KiB chunks, 4 s segments, wait up to 10 min for the merge. */
    public static PushRequest of(Path file, Mode mode) {
        return new PushRequest(file, mode, null, null, null, ByteRangeSource.DEFAULT_CHUNK_SIZE,
                SegmentSource.DEFAULT_SEGMENT_TIME, true, DEFAULT_MERGE_TIMEOUT, DEFAULT_CUT_TIMEOUT);
    }

    public PushRequest withRecordingId(String id) {
        return new PushRequest(file, mode, contentType, id, metadata, chunkSize, segmentTime, waitForMerge,
                mergeTimeout, cutTimeout);
    }

    public PushRequest withContentType(String type) {
        return new PushRequest(file, mode, type, recordingId, metadata, chunkSize, segmentTime, waitForMerge,
                mergeTimeout, cutTimeout);
    }

    public PushRequest withMetadata(JsonNode meta) {
        return new PushRequest(file, mode, contentType, recordingId, meta, chunkSize, segmentTime, waitForMerge,
                mergeTimeout, cutTimeout);
    }

    public PushRequest withChunkSize(int bytes) {
        return new PushRequest(file, mode, contentType, recordingId, metadata, bytes, segmentTime, waitForMerge,
                mergeTimeout, cutTimeout);
    }

    public PushRequest withSegmentTime(Duration time) {
        return new PushRequest(file, mode, contentType, recordingId, metadata, chunkSize, time, waitForMerge,
                mergeTimeout, cutTimeout);
    }

    /** {@code wait == false}: return right after {@code stopped}, with state STOPPED. */
    public PushRequest withMergeWait(boolean wait, Duration timeout) {
        return new PushRequest(file, mode, contentType, recordingId, metadata, chunkSize, segmentTime, wait,
                timeout, cutTimeout);
    }
}
