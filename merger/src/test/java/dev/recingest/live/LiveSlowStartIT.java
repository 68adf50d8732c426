package dev.recingest.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.recingest.events.EventPublisher;
import dev.recingest.merge.MediaFixtures;
import dev.recingest.merge.MergeWorker;
import dev.recingest.merge.TestCluster;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Outcomes;
import dev.recingest.state.RecordingState;
import dev.recingest.state.SeqMode;
import dev.recingest.storage.OutputStore;
import dev.recingest.testkit.ForwardingOutputStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rendition whose start takes longer than its lease keeps the lease: the worker reads what storage holds of the
 * rendition before anything else, and here storage answers that read 4.5 s late (the real S3 server behind a store
 * that delays the playlist read, as a loaded S3 answers; the live latency benchmark found it with 50 renditions
 * taken at once on a loaded machine) with a 3 s lease. Before, the lease was only renewed once the rendition had
 * started, so it lapsed, the rendition found it lost at its first renewal, stopped, was taken again, and so on: no
 * segment was ever listed. Now the rendition renders the recording once, with no lease lost, and its MP4 is staged.
 */
class LiveSlowStartIT {

    @TempDir
    Path dir;

    @Test
    void aRenditionWhoseStartOutlastsTheLeaseKeepsIt() throws Exception {
        try (TestCluster cluster = new TestCluster(dir)) {
            LiveConfig config = new LiveConfig(true, Duration.ofSeconds(2), 8, Duration.ofSeconds(3),
                    Duration.ofMillis(100), Duration.ofSeconds(30));
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            OutputStore slow = new SlowPlaylistRead(cluster.storage, 4500);
            RecordingId id = RecordingId.of("live-slow-start");
            List<byte[]> chunks = MediaFixtures.readAll(MediaFixtures.tsSegments(Files.createDirectories(dir.resolve("ts")), 12, 1));
            try (MergeWorker merger = MergeWorker.start(cluster.config(dir.resolve("work"), Map.of()), cluster.redis,
                    cluster.recordings, cluster.storage, new SimpleMeterRegistry(), EventPublisher.none(),
                    new LiveOutputs(config, cluster.recordings.liveIndex(), cluster.storage, cluster.storage));
                 LiveWorker live = LiveWorker.start(config, cluster.recordings, cluster.storage, slow, cluster.storage,
                         EventPublisher.none(), merger.workSpace(), registry)) {
                Outcomes.StartOutcome started = cluster.recordings.ledger().start(id, "video/mp2t", Mode.SEGMENTS, null).join();
                for (int seq = 0; seq < chunks.size(); seq++) {
                    Outcomes.Assignment a = cluster.recordings.ledger().assign(id, started.epoch(), seq, SeqMode.EXPLICIT).join();
                    cluster.put(id, a.index(), chunks.get(seq));
                    cluster.recordings.ledger().commit(id, a.index(), chunks.get(seq).length).join();
                    Thread.sleep(500);
                }
                cluster.recordings.ledger().stop(id, started.epoch(), (long) chunks.size() - 1).join();
                cluster.recordings.mergeQueue().enqueue(id).join();
                var rec = cluster.awaitState(id, Set.of(RecordingState.COMPLETED, RecordingState.FAILED), Duration.ofSeconds(90));
                assertEquals(RecordingState.COMPLETED, rec.state());
                Map<String, String> status = cluster.recordings.liveIndex().status(id).join();
                Counter lost = registry.find("recingest_live_renditions_total").tag("outcome", "lease-lost").counter();
                assertEquals(0.0, lost == null ? 0.0 : lost.count(), "renditions that lost their lease");
                assertNotNull(status.get("finalAt"), "the rendition staged the MP4 the merge published: " + status);
            }
        }
    }

    /** The S3 store, but a read of a live playlist answers {@code delayMs} late. */
    private static final class SlowPlaylistRead extends ForwardingOutputStore {
        private final long delayMs;

        SlowPlaylistRead(OutputStore s3, long delayMs) {
            super(s3);
            this.delayMs = delayMs;
        }

        @Override
        public CompletableFuture<byte[]> getBytes(String key) {
            if (!key.endsWith("/live.m3u8")) {
                return delegate.getBytes(key);
            }
            return CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS))
                    .thenCompose(x -> delegate.getBytes(key));
        }
    }
}
