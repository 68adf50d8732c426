package dev.recingest.gateway.janitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.config.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JanitorConfigTest {

    @Test
    void defaultsAreThirtySecondsToStallAndFiveMinutesToStop() {
        JanitorConfig c = JanitorConfig.from(Settings.of(Map.of()));
        assertEquals(Duration.ofSeconds(30), c.stallTimeout());
        assertEquals(Duration.ofMinutes(5), c.idleTimeout());
        assertEquals(Duration.ofSeconds(5), c.interval());
        assertTrue(c.enabled());
        assertEquals(Duration.ofSeconds(15), c.lockTtl());
    }

    @Test
    void settingsAreReadAndZeroTurnsTheJanitorOff() {
        JanitorConfig c = JanitorConfig.from(Settings.of(Map.of("RECINGEST_STALL_TIMEOUT", "500ms",
                "RECINGEST_RECORDING_IDLE_TIMEOUT", "2s", "RECINGEST_JANITOR_INTERVAL", "0")));
        assertEquals(Duration.ofMillis(500), c.stallTimeout());
        assertEquals(Duration.ofSeconds(2), c.idleTimeout());
        assertFalse(c.enabled());
        assertEquals(Duration.ofSeconds(5), c.lockTtl(), "never shorter than 5 s");
    }

    @Test
    void inconsistentTimeoutsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new JanitorConfig(Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofSeconds(5)));
        assertThrows(IllegalArgumentException.class,
                () -> new JanitorConfig(Duration.ZERO, Duration.ofSeconds(30), Duration.ofSeconds(5)));
        assertThrows(IllegalArgumentException.class,
                () -> new JanitorConfig(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofMinutes(1)));
    }
}
