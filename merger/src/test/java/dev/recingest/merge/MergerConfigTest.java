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
        assertEquals(1, c.workers());
        assertEquals(16, c.prefetch());
        assertEquals(32L << 20, c.prefetchBytes());
        assertEquals(Duration.ofSeconds(60), c.visibilityTimeout());
        assertEquals(3, c.maxAttempts());
        assertEquals(Path.of(System.getProperty("java.io.tmpdir"), "recingest-merge"), c.workDir());
        assertTrue(c.keepChunks());
        assertEquals(Duration.ofSeconds(20), c.leaseRenewal());
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
    }
}
