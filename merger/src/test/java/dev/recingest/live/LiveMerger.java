package dev.recingest.live;

import dev.recingest.events.EventPublisher;
import dev.recingest.merge.MergeWorker;
import dev.recingest.merge.TestCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A merge worker and a live worker over one {@link TestCluster}, wired as a merger process wires them (the merge
 * takes the rendition's MP4 when it is complete), with the tests' quick timings: 2 s segments, a 3 s lease, a
 * 100 ms poll.
 */
record LiveMerger(MergeWorker merger, LiveWorker live) implements AutoCloseable {

    /** @param minPart the MP4 upload's part size: small, so that an upload begins within seconds */
    /** The tests' quick timings: 2 s segments, a 3 s lease, a 100 ms poll. */
    static final LiveConfig QUICK = new LiveConfig(true, Duration.ofSeconds(2), 8, Duration.ofSeconds(3),
            Duration.ofMillis(100), Duration.ofSeconds(60));

    static LiveMerger start(TestCluster cluster, Path work, long minPart) {
        LiveConfig config = QUICK;
        MergeWorker merger = mergeWorker(cluster, work, config);
        LiveWorker live = LiveWorker.start(config, cluster.recordings, cluster.storage, cluster.storage, cluster.storage,
                EventPublisher.none(), merger.workSpace(), new SimpleMeterRegistry(), minPart);
        return new LiveMerger(merger, live);
    }

    /** A merge worker that publishes the renditions' MP4s (live workers are started apart). */
    static MergeWorker mergeWorker(TestCluster cluster, Path work, LiveConfig config) {
        return MergeWorker.start(cluster.config(work, Map.of()), cluster.redis, cluster.recordings,
                cluster.storage, new SimpleMeterRegistry(), EventPublisher.none(),
                new LiveOutputs(config, cluster.recordings.liveIndex(), cluster.storage, cluster.storage));
    }

    @Override
    public void close() {
        live.close();
        merger.close();
    }
}
