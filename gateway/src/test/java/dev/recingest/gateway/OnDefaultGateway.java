package dev.recingest.gateway;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test class that runs all its tests against one {@link GatewayHarness} with the default settings: {@link #h},
 * started before the first test and closed after the last. A subclass that reruns the suite on another Redis hides
 * {@link #up} and {@link #down} with its own, which call these inside {@link GatewayHarness#onSharedRedisCluster}.
 */
abstract class OnDefaultGateway {

    @TempDir
    static Path dir;
    static GatewayHarness h;

    @BeforeAll
    static void up() {
        h = new GatewayHarness(dir, Map.of());
    }

    @AfterAll
    static void down() {
        h.close();
    }
}
