package dev.recingest.merge;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A merger test class on one {@link TestCluster} for all its tests, with a good recording's chunks at hand and a
 * merge worker per test ({@link #startWorker}, stopped after each). A subclass that reruns the suite on another
 * Redis overrides {@link #servers} to call it inside {@link TestCluster#onSharedRedisCluster}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OnTestCluster {

    @TempDir
    static Path dir;

    TestCluster cluster;
    /** Four 1 s MPEG-TS segments (H.264 + AAC): the chunks of a recording that merges. */
    List<byte[]> chunks;
    /** The meters of the worker {@link #startWorker} started last. */
    SimpleMeterRegistry registry;
    MergeWorker worker;

    @BeforeAll
    void servers() throws Exception {
        cluster = new TestCluster(dir);
        chunks = MediaFixtures.readAll(MediaFixtures.tsSegments(Files.createDirectories(dir.resolve("media")), 4, 1));
    }

    @AfterAll
    void stopServers() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @AfterEach
    void stopWorker() {
        if (worker != null) {
            worker.close();
            worker = null;
        }
    }

    /** Starts this test's merge worker with {@code settings} over {@link TestCluster#config}'s. */
    void startWorker(Map<String, String> settings) {
        registry = new SimpleMeterRegistry();
        worker = cluster.startWorker(dir.resolve("work"), settings, registry);
    }
}
