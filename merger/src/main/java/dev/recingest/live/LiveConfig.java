package dev.recingest.live;

import dev.recingest.config.Setting;
import dev.recingest.config.SettingGroup;
import dev.recingest.config.Settings;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the live rendition ({@code RECINGEST_LIVE*}), read by the merger that runs renditions.
 *
 * @param enabled         whether this merger renders recordings live (and merges from their renditions)
 * @param segmentDuration the HLS segment duration aimed at (encoded video gets a key frame every this often)
 * @param maxRecordings   renditions one merger runs at once (an FFmpeg process each)
 * @param maxStarting     renditions one merger starts at once: a recording's lease is taken only while fewer than
 *                        this many renditions here are between taking their lease and having their FFmpeg running
 * @param lease           a rendition whose worker has not renewed its lease for this long is taken over
 * @param poll            how often a rendition looks for newly committed chunks, and an idle merger for
 *                        renditions to take
 * @param finishTimeout   how long a merge waits for a recording's rendition to finish its MP4 before it merges
 *                        the chunks itself
 */
public record LiveConfig(boolean enabled, Duration segmentDuration, int maxRecordings, int maxStarting, Duration lease,
                         Duration poll, Duration finishTimeout) {

    public static final SettingGroup SETTINGS = new SettingGroup("live rendition");
    public static final Setting<Boolean> ENABLED = SETTINGS.bool("RECINGEST_LIVE", true,
            "render every recording live while it records (HLS in storage, `GET /v1/recordings/{id}/live.m3u8`) and build its MP4 from that rendition at stop; `false`: MP4s by merging the chunks after the stop only");
    public static final Setting<Duration> SEGMENT_DURATION = SETTINGS.duration("RECINGEST_LIVE_SEGMENT_DURATION",
            Duration.ofSeconds(2), "HLS segment duration aimed at: a segment ends at the first key frame after it (encoded video gets one exactly there), so copied video with key frames further apart makes longer segments; a segment is listed once the media after it has arrived");
    public static final Setting<Integer> MAX_RECORDINGS = SETTINGS.integer("RECINGEST_LIVE_MAX_RECORDINGS", 32,
            "recordings one merger renders at once, an FFmpeg process each; on 2 cores one merger kept 200 copied (H.264/AAC) recordings started over a minute live at p99 2.43 s (one recording: 2.34 s in the same run; 4.15 s while other builds loaded the machine; the merger's threads and FFmpeg used 0.001 CPU s per second of media), and one core encodes 8 VP8 recordings (640x360 30 fps) to H.264 live, not 12 (BENCHMARKS.md, 10.1-10.2); recordings beyond it are rendered by another merger, or merged from their chunks after the stop; `0`: this merger renders none");
    public static final Setting<Integer> MAX_STARTING = SETTINGS.integer("RECINGEST_LIVE_MAX_STARTING", 32,
            "renditions one merger starts at once (reading what storage holds, probing the first chunks, starting FFmpeg): a recording's lease is taken only while fewer are starting here, the others stay due for the next poll or another merger; 100 recordings starting within 10 s on 2 shared cores: with no limit 5,542 of 5,700 seconds of media were never listed (the start burst starved Redis and the leases), with 32 all were, p99 4.4 s; 8 admitted 200 recordings starting over a minute too slowly (first segment 32 s late) (BENCHMARKS.md, 10.1)");
    public static final Setting<Duration> LEASE = SETTINGS.duration("RECINGEST_LIVE_LEASE", Duration.ofSeconds(10),
            "a rendition whose merger has not renewed its lease for this long (killed, cut off) is taken over by another merger, which continues after its last listed segment");
    public static final Setting<Duration> POLL = SETTINGS.duration("RECINGEST_LIVE_POLL", Duration.ofMillis(250),
            "how often a rendition looks for newly stored chunks, and an idle merger for renditions to take");
    public static final Setting<Duration> FINISH_TIMEOUT = SETTINGS.duration("RECINGEST_LIVE_FINISH_TIMEOUT",
            Duration.ofSeconds(60), "how long a merge waits for the recording's rendition to finish its MP4 (usually well under a second after the stop) before it merges the chunks itself");

    public LiveConfig {
        Objects.requireNonNull(segmentDuration, "segmentDuration");
        if (segmentDuration.compareTo(Duration.ofMillis(500)) < 0 || segmentDuration.compareTo(Duration.ofSeconds(30)) > 0) {
            throw new IllegalArgumentException("RECINGEST_LIVE_SEGMENT_DURATION must be between 500ms and 30s, got " + segmentDuration);
        }
        if (maxRecordings < 0) {
            throw new IllegalArgumentException("RECINGEST_LIVE_MAX_RECORDINGS must not be negative, got " + maxRecordings);
        }
        if (maxStarting < 1) {
            throw new IllegalArgumentException("RECINGEST_LIVE_MAX_STARTING must be at least 1, got " + maxStarting);
        }
        if (lease.compareTo(Duration.ofSeconds(3)) < 0) {
            throw new IllegalArgumentException("RECINGEST_LIVE_LEASE must be at least 3s, got " + lease);
        }
        if (poll.compareTo(Duration.ofMillis(50)) < 0 || poll.compareTo(lease.dividedBy(3)) > 0) {
            throw new IllegalArgumentException("RECINGEST_LIVE_POLL must be between 50ms and a third of RECINGEST_LIVE_LEASE, got " + poll);
        }
        Objects.requireNonNull(finishTimeout, "finishTimeout");
    }

    /** With {@code RECINGEST_LIVE_MAX_STARTING}'s default. */
    public LiveConfig(boolean enabled, Duration segmentDuration, int maxRecordings, Duration lease, Duration poll,
                      Duration finishTimeout) {
        this(enabled, segmentDuration, maxRecordings, MAX_STARTING.defaultValue(), lease, poll, finishTimeout);
    }

    public static LiveConfig from(Settings s) {
        return new LiveConfig(s.get(ENABLED), s.get(SEGMENT_DURATION), s.get(MAX_RECORDINGS), s.get(MAX_STARTING),
                s.get(LEASE), s.get(POLL), s.get(FINISH_TIMEOUT));
    }

    public static LiveConfig defaults() {
        return from(Settings.of(java.util.Map.of()));
    }

    /** Off: no renditions, every MP4 by the batch merge. */
    public static LiveConfig disabled() {
        LiveConfig d = defaults();
        return new LiveConfig(false, d.segmentDuration, d.maxRecordings, d.maxStarting, d.lease, d.poll, d.finishTimeout);
    }

    double segmentSeconds() {
        return segmentDuration.toMillis() / 1000.0;
    }
}
