package dev.recingest.gateway;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link RedisLossIT}, repair from storage (a recording's keys lost mid-recording), with the gateway on a real 3-master, 3-replica Redis Cluster
 * ({@link dev.recingest.embedded.LocalRedisCluster}): every script and command of that suite routed by slot.
 * Skipped where the system has no redis-server.
 */
class RedisLossOnRedisClusterIT extends RedisLossIT {

    @BeforeAll
    static void up() {
        h = null;
        GatewayHarness.onSharedRedisCluster(RedisLossIT::up);
    }

    @AfterAll
    static void down() {
        if (h != null) {
            RedisLossIT.down();
        }
    }
}
