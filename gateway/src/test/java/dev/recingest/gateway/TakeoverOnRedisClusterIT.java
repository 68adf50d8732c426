package dev.recingest.gateway;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link TakeoverIT}, takeover (a second connection takes a recording over; the first one's writes are fenced), with the gateway on a real 3-master, 3-replica Redis Cluster
 * ({@link dev.recingest.embedded.LocalRedisCluster}): every script and command of that suite routed by slot.
 * Skipped where the system has no redis-server.
 */
class TakeoverOnRedisClusterIT extends TakeoverIT {

    @BeforeAll
    static void up() {
        h = null;
        GatewayHarness.onSharedRedisCluster(TakeoverIT::up);
    }

    @AfterAll
    static void down() {
        if (h != null) {
            TakeoverIT.down();
        }
    }
}
