package dev.recingest.merge;

import dev.recingest.config.Retention;
import dev.recingest.config.Setting;
import dev.recingest.config.SettingGroup;
import dev.recingest.config.Settings;
import dev.recingest.media.FfmpegBinaries;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the merge worker ({@code RECINGEST_MERGE_*}, or the matching {@code --merge-*} flags).
 *
 * @param workers           worker threads, each merging one recording at a time
 * @param prefetch          chunk downloads in flight per merge: deep enough to hide a GET's latency behind
 *                          the others when chunks are small (1 s chunks)
 * @param prefetchBytes     bytes of chunk downloads in flight per merge (by the planned sizes, at least one
 *                          chunk): what bounds the merge's heap when chunks are large
 * @param visibilityTimeout how long a job may go without a lease renewal before another worker takes it
 *                          over; also the delay before a retryable failure is tried again
 * @param maxAttempts       merge attempts per recording before it is FAILED
 * @param workDir           where outputs (and MP4 segments) are written while a merge runs
 * @param keepChunks        false: delete the chunk objects once the MP4 and manifest are stored
 * @param poll              how long one queue read blocks; also bounds how fast {@code close()} stops the loop
 * @param chunkTimeout      the longest wait for one chunk download
 * @param ffmpegTimeout     what one FFmpeg run may take on top of the time its recording's length allows
 *                          (see {@link #ffmpegLimit}); past the limit the process is killed and the recording
 *                          FAILED with FFMPEG_TIMEOUT
 * @param ffmpegMinSpeed    the slowest FFmpeg run that still counts as working, in media seconds per second
 * @param ffmpegStallTimeout how long FFmpeg may go with neither its output nor its input moving before it is
 *                          killed (FFMPEG_TIMEOUT); longer than {@code chunkTimeout}, so that a slow chunk
 *                          download is reported as the storage problem it is
 * @param minFreeDisk       bytes of the work directory's disk that merges leave free; a merge that does not
 *                          fit waits (its job stays queued, no attempt is used)
 * @param shutdownTimeout   how long {@code close()} waits for merges in progress before killing them
 * @param ffmpegDir         directory holding ffmpeg and ffprobe; null: PATH, then the bundled binaries
 * @param redisRetention    how long a COMPLETED or FAILED recording's Redis keys live ({@code RECINGEST_RETENTION_REDIS})
 */
public record MergerConfig(int workers, int prefetch, long prefetchBytes, Duration visibilityTimeout, int maxAttempts, Path workDir,
                           boolean keepChunks, Duration poll, Duration chunkTimeout, Duration ffmpegTimeout,
                           double ffmpegMinSpeed, Duration ffmpegStallTimeout, long minFreeDisk,
                           Duration shutdownTimeout, String ffmpegDir, Duration redisRetention) {

    /**
     * Two at least, so that one long merge (a transcode of hours of video) never holds up the others; one per
     * CPU beyond that, since a merge is mostly FFmpeg and storage transfers (BENCHMARKS.md, merge workers).
     */
    public static final int DEFAULT_WORKERS = Math.max(2, Runtime.getRuntime().availableProcessors());
    public static final int DEFAULT_PREFETCH = 16;
    public static final long DEFAULT_PREFETCH_BYTES = 32L << 20;
    public static final Duration DEFAULT_VISIBILITY_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final Duration DEFAULT_POLL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_CHUNK_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_FFMPEG_TIMEOUT = Duration.ofMinutes(10);
    /**
     * A quarter of real time: the slowest case measured here, a 720p VP8 to H.264 transcode on 2 busy CPUs
     * beside other merges, ran at about 1.8x real time (BENCHMARKS.md, merge workers), so a run slower than
     * this is stuck, not working.
     */
    public static final double DEFAULT_FFMPEG_MIN_SPEED = 0.25;
    public static final Duration DEFAULT_FFMPEG_STALL_TIMEOUT = Duration.ofMinutes(3);
    public static final long DEFAULT_MIN_FREE_DISK = 512L << 20;
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    public static final SettingGroup SETTINGS = new SettingGroup("merger");
    public static final Setting<Integer> WORKERS = SETTINGS.add(Setting.integer("RECINGEST_MERGE_WORKERS", DEFAULT_WORKERS,
            "merge threads (two at least, so a long transcode never holds up the other recordings: `BENCHMARKS.md`, merge workers)")
            .defaultsTo("CPUs, at least 2"));
    public static final Setting<Integer> PREFETCH = SETTINGS.integer("RECINGEST_MERGE_PREFETCH", DEFAULT_PREFETCH,
            "chunk downloads in flight per merge (hides GET latency for small chunks)");
    public static final Setting<Long> PREFETCH_BYTES = SETTINGS.bytes("RECINGEST_MERGE_PREFETCH_BYTES", DEFAULT_PREFETCH_BYTES,
            "bytes of chunk downloads in flight per merge (bounds the heap for large chunks)");
    public static final Setting<Duration> VISIBILITY_TIMEOUT = SETTINGS.duration("RECINGEST_MERGE_VISIBILITY_TIMEOUT",
            DEFAULT_VISIBILITY_TIMEOUT, "a job without a lease renewal for this long is taken over by another worker (reclaim of a dead worker's job); also the delay before a retry");
    public static final Setting<Integer> MAX_ATTEMPTS = SETTINGS.integer("RECINGEST_MERGE_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS,
            "attempts before FAILED (only storage errors, a killed FFmpeg and a full disk are retried: an FFmpeg error on the same bytes would repeat)");
    public static final Setting<String> WORK_DIR = SETTINGS.add(Setting.string("RECINGEST_MERGE_WORK_DIR", null,
            "local files while a merge runs: a folder per merger process (locked while it lives; those of killed mergers are removed by the next merger on the directory)")
            .defaultsTo("$TMPDIR/recingest-merge"));
    public static final Setting<Boolean> KEEP_CHUNKS = SETTINGS.bool("RECINGEST_KEEP_CHUNKS", true,
            "`false`: delete the chunk objects after a successful merge");
    public static final Setting<Duration> POLL = SETTINGS.duration("RECINGEST_MERGE_POLL", DEFAULT_POLL,
            "how long one read of the merge queue blocks (shorter than the visibility timeout: consumers idle for two visibility timeouts with nothing pending are taken for those of dead mergers and removed from the group)");
    public static final Setting<Duration> CHUNK_TIMEOUT = SETTINGS.duration("RECINGEST_MERGE_CHUNK_TIMEOUT",
            DEFAULT_CHUNK_TIMEOUT, "the longest wait for one chunk download (then `STORAGE_UNAVAILABLE`, retried)");
    public static final Setting<Duration> FFMPEG_TIMEOUT = SETTINGS.duration("RECINGEST_MERGE_FFMPEG_TIMEOUT",
            DEFAULT_FFMPEG_TIMEOUT, "one FFmpeg run may take this plus the recording's length at RECINGEST_MERGE_FFMPEG_MIN_SPEED (the length is the recording's wall clock span, or its size at 256 kbit/s if that is longer); past it: `FAILED` `FFMPEG_TIMEOUT`, not retried");
    public static final Setting<Double> FFMPEG_MIN_SPEED = SETTINGS.decimal("RECINGEST_MERGE_FFMPEG_MIN_SPEED",
            DEFAULT_FFMPEG_MIN_SPEED, "the slowest FFmpeg run that still counts as working, in media seconds per second (the slowest case measured here, a 720p VP8 transcode on 2 busy CPUs beside other merges, ran at about 1.8x real time: `BENCHMARKS.md`, merge workers)");
    public static final Setting<Duration> FFMPEG_STALL_TIMEOUT = SETTINGS.duration("RECINGEST_MERGE_FFMPEG_STALL_TIMEOUT",
            DEFAULT_FFMPEG_STALL_TIMEOUT, "FFmpeg with neither its output nor its input moving for this long is stopped (`FFMPEG_TIMEOUT`); must exceed RECINGEST_MERGE_CHUNK_TIMEOUT");
    public static final Setting<Long> MIN_FREE_DISK = SETTINGS.bytes("RECINGEST_MERGE_MIN_FREE_DISK", DEFAULT_MIN_FREE_DISK,
            "disk left free in the work directory; a merge needs about 2x its input there (3x for MP4 segments) and waits, queued, without using an attempt, until that fits; one that cannot fit even on an idle disk ends `FAILED` `NO_SPACE`");
    public static final Setting<Duration> SHUTDOWN_TIMEOUT = SETTINGS.duration("RECINGEST_MERGE_SHUTDOWN_TIMEOUT",
            DEFAULT_SHUTDOWN_TIMEOUT, "on SIGTERM, how long merges in progress may finish before they are killed (and taken over later)");

    public MergerConfig {
        Objects.requireNonNull(workDir, "workDir");
        requirePositive("RECINGEST_MERGE_WORKERS", workers);
        requirePositive("RECINGEST_MERGE_PREFETCH", prefetch);
        if (prefetchBytes < 1) {
            throw new IllegalArgumentException("RECINGEST_MERGE_PREFETCH_BYTES must be at least 1, got " + prefetchBytes);
        }
        requirePositive("RECINGEST_MERGE_MAX_ATTEMPTS", maxAttempts);
        // The lease is renewed every third of the visibility timeout; below a few seconds one slow
        // Redis round trip would let a second worker take a healthy merge over.
        requireAtLeast("RECINGEST_MERGE_VISIBILITY_TIMEOUT", visibilityTimeout, Duration.ofSeconds(3));
        requireAtLeast("RECINGEST_MERGE_POLL", poll, Duration.ofMillis(100));
        // An idle worker reads the queue every poll; consumers idle for two visibility timeouts are taken
        // for those of dead mergers and removed, so a live one must read more often than that.
        if (poll.compareTo(visibilityTimeout) >= 0) {
            throw new IllegalArgumentException("RECINGEST_MERGE_POLL (" + poll
                    + ") must be shorter than RECINGEST_MERGE_VISIBILITY_TIMEOUT (" + visibilityTimeout + ")");
        }
        requireAtLeast("RECINGEST_MERGE_CHUNK_TIMEOUT", chunkTimeout, Duration.ofSeconds(1));
        requireAtLeast("RECINGEST_MERGE_FFMPEG_TIMEOUT", ffmpegTimeout, Duration.ofSeconds(1));
        if (!(ffmpegMinSpeed > 0) || Double.isInfinite(ffmpegMinSpeed)) {
            throw new IllegalArgumentException("RECINGEST_MERGE_FFMPEG_MIN_SPEED must be a positive number, got "
                    + ffmpegMinSpeed);
        }
        requireAtLeast("RECINGEST_MERGE_FFMPEG_STALL_TIMEOUT", ffmpegStallTimeout, chunkTimeout.plusSeconds(1));
        if (minFreeDisk < 0) {
            throw new IllegalArgumentException("RECINGEST_MERGE_MIN_FREE_DISK must not be negative, got " + minFreeDisk);
        }
        requireAtLeast("RECINGEST_MERGE_SHUTDOWN_TIMEOUT", shutdownTimeout, Duration.ZERO);
        redisRetention = new Retention(redisRetention).redisKeys();
    }

    /** The defaults: workers by CPU count, temporary files under {@code java.io.tmpdir/recingest-merge}. */
    public static MergerConfig defaults() {
        return from(Settings.of(java.util.Map.of()));
    }

    public static MergerConfig from(Settings s) {
        return new MergerConfig(s.get(WORKERS), s.get(PREFETCH), s.get(PREFETCH_BYTES), s.get(VISIBILITY_TIMEOUT),
                s.get(MAX_ATTEMPTS),
                s.find(WORK_DIR).map(Path::of).orElse(Path.of(System.getProperty("java.io.tmpdir"), "recingest-merge")),
                s.get(KEEP_CHUNKS), s.get(POLL), s.get(CHUNK_TIMEOUT), s.get(FFMPEG_TIMEOUT), s.get(FFMPEG_MIN_SPEED),
                s.get(FFMPEG_STALL_TIMEOUT), s.get(MIN_FREE_DISK), s.get(SHUTDOWN_TIMEOUT), s.get(FfmpegBinaries.DIR),
                Retention.from(s).redisKeys());
    }

    /**
     * How long one FFmpeg run over a recording of about {@code mediaSeconds} may take: {@code ffmpegTimeout}
     * plus the recording's length at {@code ffmpegMinSpeed}. A minute-long recording that FFmpeg cannot
     * handle fails within minutes, and a four-hour transcode still has the time it needs.
     */
    public Duration ffmpegLimit(double mediaSeconds) {
        double allowed = Math.max(0, mediaSeconds) / ffmpegMinSpeed;
        long millis = (long) Math.min(allowed * 1000, Duration.ofDays(7).toMillis());
        return ffmpegTimeout.plusMillis(millis);
    }

    /** How often a worker renews the lease of the job it is merging. */
    public Duration leaseRenewal() {
        return visibilityTimeout.dividedBy(3);
    }

    private static void requirePositive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
    }

    private static void requireAtLeast(String name, Duration value, Duration min) {
        Objects.requireNonNull(value, name);
        if (value.compareTo(min) < 0) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
        }
    }
}
