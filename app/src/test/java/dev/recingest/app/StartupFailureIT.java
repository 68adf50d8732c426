package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.config.Settings;
import dev.recingest.embedded.EmbeddedRedis;
import dev.recingest.embedded.FreePort;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway or merger whose Redis or S3 cannot be reached at start-up stops with one line naming the
 * address, the setting and what to check (exit code 1 from Main), instead of a stack trace.
 */
class StartupFailureIT {

    @TempDir
    Path dir;

    @Test
    void unreachableRedisIsOneLineNamingTheAddressAndTheSetting() {
        int closed = FreePort.pick();
        StartupFailure f = assertThrows(StartupFailure.class, () -> Processes.Backends.connect(Settings.of(Map.of(
                "RECINGEST_REDIS_URI", "redis://:hunter2hunter2@127.0.0.1:" + closed))));
        String m = f.getMessage();
        assertTrue(m.startsWith("cannot reach Redis at redis://***@127.0.0.1:" + closed + " (RECINGEST_REDIS_URI)"), m);
        assertTrue(m.contains("check that Redis runs there"), m);
        assertFalse(m.contains("hunter2"), "the password stays out: " + m);
        assertEquals(1, m.lines().count());
    }

    @Test
    void unreachableS3IsOneLineNamingTheEndpointAndBucket() {
        try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"))) {
            int closed = FreePort.pick();
            StartupFailure f = assertThrows(StartupFailure.class, () -> Processes.Backends.connect(Settings.of(Map.of(
                    "RECINGEST_REDIS_URI", redis.uri(), "RECINGEST_S3_ENDPOINT", "http://127.0.0.1:" + closed,
                    "RECINGEST_S3_BUCKET", "rec-bucket", "AWS_ACCESS_KEY_ID", "k", "AWS_SECRET_ACCESS_KEY", "secret-key",
                    "RECINGEST_S3_ATTEMPT_TIMEOUT", "1s", "RECINGEST_S3_CALL_TIMEOUT", "3s"))));
            String m = f.getMessage();
            assertTrue(m.startsWith("cannot use S3 bucket 'rec-bucket' at http://127.0.0.1:" + closed
                    + " (RECINGEST_S3_ENDPOINT, RECINGEST_S3_BUCKET)"), m);
            assertFalse(m.contains("secret-key"), m);
            assertEquals(1, m.lines().count());
        }
    }
}
