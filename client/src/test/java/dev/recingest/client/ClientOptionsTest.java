package dev.recingest.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ClientOptionsTest {

    private static final URI GATEWAY = URI.create("ws://127.0.0.1:1/v1/ingest");

    @Test
    void retryDelaysAreDrawnBetweenHalfTheBackoffAndAllOfIt() {
        ClientOptions o = ClientOptions.defaults(GATEWAY, "t").withResend(8, Duration.ofMillis(400), Duration.ofSeconds(2));
        Set<Duration> seen = new HashSet<>();
        for (int attempt = 1; attempt <= 6; attempt++) {
            Duration ceiling = o.backoff(attempt);
            for (int i = 0; i < 200; i++) {
                Duration d = o.retryDelay(attempt);
                assertTrue(d.compareTo(ceiling.dividedBy(2)) >= 0 && d.compareTo(ceiling) <= 0,
                        "attempt " + attempt + ": " + d + " within [" + ceiling.dividedBy(2) + ", " + ceiling + "]");
                seen.add(d);
            }
        }
        assertTrue(seen.size() > 100, "drawn, not fixed: " + seen.size() + " distinct delays");
        assertEquals(Duration.ofSeconds(2), o.backoff(6), "the cap still holds");
    }

    @Test
    void withoutJitterTheDelayIsTheBackoff() {
        ClientOptions o = ClientOptions.defaults(GATEWAY, "t").withJitter(false);
        for (int attempt = 1; attempt <= 8; attempt++) {
            assertEquals(o.backoff(attempt), o.retryDelay(attempt));
        }
    }

    @Test
    void aTokenSupplierIsAskedEveryTimeAndItsFailureIsAClearError() {
        AtomicInteger calls = new AtomicInteger();
        ClientOptions o = ClientOptions.defaultsWithTokenSupplier(GATEWAY, () -> "token-" + calls.incrementAndGet());
        assertNull(o.token());
        assertEquals("token-1", o.currentToken());
        assertEquals("token-2", o.currentToken());
        assertTrue(o.tokenInStart());
        assertEquals("fixed", ClientOptions.defaults(GATEWAY, "fixed").currentToken());
        assertEquals("fixed", o.withToken("fixed", true).currentToken(), "a fixed token replaces the supplier");

        assertThrows(IllegalStateException.class,
                () -> ClientOptions.defaultsWithTokenSupplier(GATEWAY, () -> null).currentToken());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ClientOptions.defaultsWithTokenSupplier(
                GATEWAY, () -> {
                    throw new IllegalArgumentException("vault sealed");
                }).currentToken());
        assertTrue(e.getMessage().contains("vault sealed"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ClientOptions(GATEWAY, "fixed", true, 1, Duration.ofSeconds(1),
                Duration.ofSeconds(1), 1, Duration.ofSeconds(1), Duration.ofSeconds(1), 1, () -> "supplied", true));
    }
}
