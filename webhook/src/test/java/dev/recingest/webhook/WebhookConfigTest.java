package dev.recingest.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.config.Settings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookConfigTest {

    @Test
    void backoffDoublesFromTheBaseUpToTheMaxButNeverBelowTheRequestTimeout() {
        WebhookConfig c = WebhookConfig.from(Settings.of(Map.of("RECINGEST_WEBHOOK_URLS", "https://example.test/hook",
                "RECINGEST_WEBHOOK_SECRET", "0123456789abcdef")));
        assertEquals(Duration.ofSeconds(10), c.backoff(1), "5 s base, but not below the 10 s request timeout");
        assertEquals(Duration.ofSeconds(10), c.backoff(2));
        assertEquals(Duration.ofSeconds(20), c.backoff(3));
        assertEquals(Duration.ofSeconds(40), c.backoff(4));
        assertEquals(Duration.ofMinutes(10), c.backoff(12));
        assertEquals(Duration.ofMinutes(10), c.backoff(500), "no overflow");
        assertTrue(c.toString().contains("secret=***") && !c.toString().contains("0123456789abcdef"));
    }

    @Test
    void urlsNeedASecretAndHttp() {
        assertFalse(WebhookConfig.from(Settings.of(Map.of())).enabled());
        assertThrows(IllegalArgumentException.class, () -> WebhookConfig.from(Settings.of(Map.of(
                "RECINGEST_WEBHOOK_URLS", "https://example.test/hook"))));
        assertThrows(IllegalArgumentException.class, () -> WebhookConfig.from(Settings.of(Map.of(
                "RECINGEST_WEBHOOK_URLS", "ftp://example.test/hook", "RECINGEST_WEBHOOK_SECRET", "0123456789abcdef"))));
        WebhookConfig two = WebhookConfig.from(Settings.of(Map.of("RECINGEST_WEBHOOK_URLS",
                "https://a.test/x?token=secret , http://b.test:8080/y", "RECINGEST_WEBHOOK_SECRET", "0123456789abcdef")));
        assertEquals(2, two.urls().size());
        assertFalse(two.toString().contains("token=secret"), "query strings stay out of logs");
    }

    @Test
    void signatureIsHmacSha256OfTheBody() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assertEquals("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                Signature.sign("Jefe", "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII)));
    }
}
