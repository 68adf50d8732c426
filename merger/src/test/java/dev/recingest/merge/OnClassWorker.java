package dev.recingest.merge;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A merger test class on one {@link TestCluster} and one merge worker for all its tests (media cases whose
 * recordings do not disturb each other); {@link OnTestCluster} is the one with a worker per test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OnClassWorker {

    @TempDir
    static Path dir;

    TestCluster cluster;
    MergeWorker worker;

    @BeforeAll
    void up() {
        cluster = new TestCluster(dir);
        worker = cluster.startWorker(dir.resolve("work"), Map.of(), new SimpleMeterRegistry());
    }

    @AfterAll
    void down() {
        worker.close();
        cluster.close();
    }
}
