package dev.recingest.gateway;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link JanitorIT}, the janitor (stall, auto-stop, lost merges, the lock across gateways), with the gateway on a real 3-master, 3-replica Redis Cluster
 * ({@link dev.recingest.embedded.LocalRedisCluster}): every script and command of that suite routed by slot.
 * Skipped where the system has no redis-server.
 */
class JanitorOnRedisClusterIT extends JanitorIT {

    @BeforeAll
    static void up() {
        h = null;
        GatewayHarness.onSharedRedisCluster(JanitorIT::up);
    }

    @AfterAll
    static void down() {
        if (h != null) {
            JanitorIT.down();
        }
    }
}
