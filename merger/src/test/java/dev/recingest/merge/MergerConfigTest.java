package dev.recingest.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MergerConfigTest {

    @Test
    void defaults() {
        MergerConfig c = MergerConfig.from(Settings.of(Map.of()));
        assertEquals(Math.max(2, Runtime.getRuntime().availableProcessors()), c.workers());
        assertEquals(16, c.prefetch());
        assertEquals(32L << 20, c.prefetchBytes());
        assertEquals(Duration.ofSeconds(60), c.visibilityTimeout());
        assertEquals(3, c.maxAttempts());
        assertEquals(Path.of(System.getProperty("java.io.tmpdir"), "recingest-merge"), c.workDir());
        assertTrue(c.keepChunks());
        assertEquals(Duration.ofSeconds(20), c.leaseRenewal());
        assertEquals(Duration.ofMinutes(10), c.ffmpegTimeout());
        assertEquals(Duration.ofMinutes(3), c.ffmpegStallTimeout());
        assertEquals(512L << 20, c.minFreeDisk());
    }

    @Test
    void theFfmpegLimitGrowsWithTheRecording() {
        MergerConfig c = MergerConfig.defaults();
        // 10 minutes to start with, plus the recording at a quarter of real time.
        assertEquals(Duration.ofMinutes(10), c.ffmpegLimit(0));
        assertEquals(Duration.ofMinutes(14), c.ffmpegLimit(60));
        assertEquals(Duration.ofHours(16).plusMinutes(10), c.ffmpegLimit(4 * 3600));
        MergerConfig strict = MergerConfig.from(Settings.of(Map.of("RECINGEST_MERGE_FFMPEG_TIMEOUT", "1m",
                "RECINGEST_MERGE_FFMPEG_MIN_SPEED", "2")));
        assertEquals(Duration.ofSeconds(90), strict.ffmpegLimit(60));
    }

    @Test
    void environmentAndFlags() {
        Settings s = Settings.fromEnvAndFlags(Map.of("RECINGEST_MERGE_WORKERS", "3", "RECINGEST_KEEP_CHUNKS", "false"),
                List.of("--merge-visibility-timeout=2m", "--merge-work-dir=/var/tmp/m", "--merge-prefetch=8", "--merge-prefetch-bytes=8MiB"),
                new java.util.ArrayList<>());
        MergerConfig c = MergerConfig.from(s);
        assertEquals(3, c.workers());
        assertFalse(c.keepChunks());
        assertEquals(Duration.ofMinutes(2), c.visibilityTimeout());
        assertEquals(Path.of("/var/tmp/m"), c.workDir());
        assertEquals(8, c.prefetch());
        assertEquals(8L << 20, c.prefetchBytes());
    }

    @Test
    void nonsenseIsRefusedWithTheSettingsName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MergerConfig.from(Settings.of(Map.of("RECINGEST_MERGE_PREFETCH", "0"))));
        assertTrue(e.getMessage().contains("RECINGEST_MERGE_PREFETCH"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> MergerConfig.from(Settings.of(Map.of("RECINGEST_MERGE_VISIBILITY_TIMEOUT", "1s"))));
        assertThrows(IllegalArgumentException.class,
                () -> MergerConfig.from(Settings.of(Map.of("RECINGEST_MERGE_FFMPEG_MIN_SPEED", "0"))));
        // A stall watchdog shorter than a chunk download's timeout would blame FFmpeg for slow storage.
        e = assertThrows(IllegalArgumentException.class, () -> MergerConfig.from(Settings.of(Map.of(
                "RECINGEST_MERGE_FFMPEG_STALL_TIMEOUT", "30s"))));
        assertTrue(e.getMessage().contains("RECINGEST_MERGE_FFMPEG_STALL_TIMEOUT"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MergerConfig.from(Settings.of(Map.of(
                "RECINGEST_MERGE_POLL", "5s", "RECINGEST_MERGE_VISIBILITY_TIMEOUT", "5s"))));
    }
}
