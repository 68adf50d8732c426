package dev.recingest.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.recingest.storage.S3Clients;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3AsyncClient;

class S3ConfigTest {

    @Test
    void theRetryBudgetHasExplicitDefaults() {
        S3Config c = S3Config.from(Settings.of(Map.of()));
        assertEquals(4, c.maxAttempts());
        assertEquals(Duration.ofSeconds(15), c.attemptTimeout());
        assertEquals(Duration.ofSeconds(40), c.callTimeout());
    }

    @Test
    void theRetryBudgetComesFromTheEnvironmentAndReachesTheSdkClient() {
        S3Config c = S3Config.from(Settings.of(Map.of("RECINGEST_S3_ENDPOINT", "http://127.0.0.1:9",
                "RECINGEST_S3_MAX_ATTEMPTS", "2", "RECINGEST_S3_ATTEMPT_TIMEOUT", "1500ms",
                "RECINGEST_S3_CALL_TIMEOUT", "5s", "AWS_ACCESS_KEY_ID", "a", "AWS_SECRET_ACCESS_KEY", "b")));
        assertEquals(2, c.maxAttempts());
        try (S3AsyncClient s3 = S3Clients.async(c)) {
            var o = s3.serviceClientConfiguration().overrideConfiguration();
            assertEquals(Duration.ofMillis(1500), o.apiCallAttemptTimeout().orElseThrow());
            assertEquals(Duration.ofSeconds(5), o.apiCallTimeout().orElseThrow());
            assertEquals(2, o.retryStrategy().orElseThrow().maxAttempts());
        }
    }

    @Test
    void aBudgetThatCannotHoldOneAttemptIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> S3Config.from(Settings.of(Map.of(
                "RECINGEST_S3_ATTEMPT_TIMEOUT", "20s", "RECINGEST_S3_CALL_TIMEOUT", "10s"))));
        assertThrows(IllegalArgumentException.class, () -> S3Config.from(Settings.of(Map.of(
                "RECINGEST_S3_MAX_ATTEMPTS", "0"))));
    }
}
