package dev.recingest.gateway;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link IngestProtocolIT}, the ingest protocol end to end (start, chunks, resends, gaps, stop, errors), with the gateway on a real 3-master, 3-replica Redis Cluster
 * ({@link dev.recingest.embedded.LocalRedisCluster}): every script and command of that suite routed by slot.
 * Skipped where the system has no redis-server.
 */
class IngestProtocolOnRedisClusterIT extends IngestProtocolIT {

    @BeforeAll
    static void up() {
        h = null;
        GatewayHarness.onSharedRedisCluster(IngestProtocolIT::up);
    }

    @AfterAll
    static void down() {
        if (h != null) {
            IngestProtocolIT.down();
        }
    }
}
