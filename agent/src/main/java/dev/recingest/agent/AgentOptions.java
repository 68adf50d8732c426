package dev.recingest.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the agent records, the same for every recording of one agent process.
 *
 * @param ffmpeg          the FFmpeg executable ({@code FfmpegBinaries.locate().ffmpeg()})
 * @param spoolRoot       the spool folder; each recording has {@code <spoolRoot>/<recordingId>/}
 * @param spoolMaxBytes   per recording: past this many unacked bytes the recording is stopped (SPOOL_FULL)
 * @param segmentTime     target segment length (cuts happen at keyframes)
 * @param stallTimeout    an FFmpeg run whose output has not moved for this long is ended and the source
 *                        reconnected
 * @param sourceTimeout   a source that has produced nothing for this long (across reconnects) is gone:
 *                        the recording is stopped
 * @param maxDuration     stop after this much recorded media; null for no limit
 * @param reconnectBackoff first wait before reconnecting to a dropped source; doubles per attempt
 * @param reconnectMaxBackoff cap of that wait
 * @param stopTimeout     at the end: how long delivering the spool and {@code stop} may take
 */
public record AgentOptions(Path ffmpeg, Path spoolRoot, long spoolMaxBytes, Duration segmentTime, Duration stallTimeout,
                           Duration sourceTimeout, Duration maxDuration, Duration reconnectBackoff,
                           Duration reconnectMaxBackoff, Duration stopTimeout) {

    public static final long DEFAULT_SPOOL_MAX_BYTES = 2L << 30;
    public static final Duration DEFAULT_SEGMENT_TIME = Duration.ofSeconds(2);
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_SOURCE_TIMEOUT = Duration.ofMinutes(2);
    public static final Duration DEFAULT_RECONNECT_BACKOFF = Duration.ofMillis(500);
    public static final Duration DEFAULT_RECONNECT_MAX_BACKOFF = Duration.ofSeconds(10);
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofMinutes(2);

    public AgentOptions {
        Objects.requireNonNull(ffmpeg, "ffmpeg");
        Objects.requireNonNull(spoolRoot, "spoolRoot");
        if (spoolMaxBytes <= 0) {
            throw new IllegalArgumentException("the spool size limit must be positive");
        }
        positive(segmentTime, "segment time");
        positive(stallTimeout, "stall timeout");
        positive(sourceTimeout, "source timeout");
        positive(reconnectBackoff, "reconnect backoff");
        positive(reconnectMaxBackoff, "reconnect backoff cap");
        positive(stopTimeout, "stop timeout");
        if (maxDuration != null) {
            positive(maxDuration, "maximum duration");
        }
    }

    public static AgentOptions defaults(Path ffmpeg, Path spoolRoot) {
        return new AgentOptions(ffmpeg, spoolRoot, DEFAULT_SPOOL_MAX_BYTES, DEFAULT_SEGMENT_TIME, DEFAULT_STALL_TIMEOUT,
                DEFAULT_SOURCE_TIMEOUT, null, DEFAULT_RECONNECT_BACKOFF, DEFAULT_RECONNECT_MAX_BACKOFF, DEFAULT_STOP_TIMEOUT);
    }

    public AgentOptions withTimeouts(Duration stall, Duration source) {
        return new AgentOptions(ffmpeg, spoolRoot, spoolMaxBytes, segmentTime, stall, source, maxDuration,
                reconnectBackoff, reconnectMaxBackoff, stopTimeout);
    }

    public AgentOptions withMaxDuration(Duration max) {
        return new AgentOptions(ffmpeg, spoolRoot, spoolMaxBytes, segmentTime, stallTimeout, sourceTimeout, max,
                reconnectBackoff, reconnectMaxBackoff, stopTimeout);
    }

    public AgentOptions withSpoolMaxBytes(long max) {
        return new AgentOptions(ffmpeg, spoolRoot, max, segmentTime, stallTimeout, sourceTimeout, maxDuration,
                reconnectBackoff, reconnectMaxBackoff, stopTimeout);
    }

    public AgentOptions withSegmentTime(Duration time) {
        return new AgentOptions(ffmpeg, spoolRoot, spoolMaxBytes, time, stallTimeout, sourceTimeout, maxDuration,
                reconnectBackoff, reconnectMaxBackoff, stopTimeout);
    }

    /** The wait before reconnect {@code attempt} (1-based). */
    Duration reconnectDelay(int attempt) {
        Duration d = reconnectBackoff.multipliedBy(1L << Math.min(Math.max(attempt - 1, 0), 16));
        return d.compareTo(reconnectMaxBackoff) > 0 ? reconnectMaxBackoff : d;
    }

    private static void positive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("the " + what + " must be positive");
        }
    }
}
