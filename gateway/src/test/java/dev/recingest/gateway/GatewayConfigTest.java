package dev.recingest.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.config.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link GatewayConfig#defaults()} is what an empty environment gives, and building validates like reading does. */
class GatewayConfigTest {

    private static final String SECRET = "gateway-config-test-secret-0123456789abcdef";

    @Test
    void theDefaultsAreWhatAnEmptyEnvironmentGives() {
        GatewayConfig read = GatewayConfig.from(Settings.of(Map.of("RECINGEST_JWT_SECRET", SECRET)));
        GatewayConfig built = GatewayConfig.defaults().jwtSecret(SECRET).build();
        assertEquals(read, built);
        assertEquals(8080, built.port());
        assertEquals(8 << 20, built.maxChunkBytes());
        assertEquals(Duration.ofSeconds(60), built.idleTimeout());
        assertTrue(built.authEnabled());
    }

    @Test
    void aCopyWithOneSettingChangedKeepsTheOthers() {
        GatewayConfig base = GatewayConfig.defaults().authEnabled(false).build();
        GatewayConfig changed = base.toBuilder().port(0).build();
        assertEquals(0, changed.port());
        assertEquals(base, changed.toBuilder().port(base.port()).build());
    }

    @Test
    void buildingValidatesAsReadingDoes() {
        IllegalArgumentException noSecret = assertThrows(IllegalArgumentException.class,
                () -> GatewayConfig.defaults().build());
        assertTrue(noSecret.getMessage().contains("RECINGEST_JWT_SECRET"), noSecret.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> GatewayConfig.defaults().authEnabled(false).windowBytes(1).build());
        assertThrows(IllegalArgumentException.class, () -> GatewayConfig.from(Settings.of(Map.of(
                "RECINGEST_AUTH", "off", "RECINGEST_WINDOW_BYTES", "1"))));
    }
}
