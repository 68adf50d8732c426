package dev.recingest.merge;

import org.junit.jupiter.api.BeforeAll;

/**
 * {@link MergeRecoveryIT} (storage down during a merge, a worker that died holding a job and the job reclaimed by
 * another, leases) with the merge queue and the recordings on a real 3-master, 3-replica Redis Cluster
 * ({@link dev.recingest.embedded.LocalRedisCluster}): XREADGROUP, XAUTOCLAIM, XCLAIM and the fenced scripts
 * routed by slot. Skipped where the system has no redis-server.
 */
class MergeRecoveryOnRedisClusterIT extends MergeRecoveryIT {

    @Override
    @BeforeAll
    void servers() throws Exception {
        TestCluster.onSharedRedisCluster(super::servers);
    }
}
