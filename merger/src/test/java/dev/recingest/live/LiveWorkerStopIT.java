package dev.recingest.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.events.EventPublisher;
import dev.recingest.merge.MediaFixtures;
import dev.recingest.merge.MergeWorker;
import dev.recingest.merge.TestCluster;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Outcomes;
import dev.recingest.state.RecordingState;
import dev.recingest.state.SeqMode;
import dev.recingest.testkit.Waits;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live worker that stops (its merger shutting down) mid-recording hands its renditions over whole: another worker
 * takes the rendition up where its published segments end, renders the rest, and its MP4 is the one the merge
 * publishes. Before, stopping the worker killed FFmpeg, whose output then ended as if the recording had, and the
 * samples not yet in a segment went out as a last, short segment ending mid-GOP: the worker taking over found no
 * key frame where the published segments end, the rendition failed (the playlist stopped growing for viewers, and
 * the merge merged the chunks after the stop). Found by {@code LiveTakeoverBenchmark}.
 */
class LiveWorkerStopIT {

    @TempDir
    Path dir;

    @Test
    void aRenditionWhoseWorkerStopsMidRecordingIsTakenOverAndFinished() throws Exception {
        try (TestCluster cluster = new TestCluster(dir)) {
            LiveConfig config = LiveMerger.QUICK;
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            RecordingId id = RecordingId.of("live-worker-stop");
            List<byte[]> chunks = MediaFixtures.readAll(MediaFixtures.tsSegments(Files.createDirectories(dir.resolve("ts")), 20, 1));
            int half = chunks.size() / 2;
            try (MergeWorker merger = LiveMerger.mergeWorker(cluster, dir.resolve("work"), config)) {
                Outcomes.StartOutcome started = cluster.recordings.ledger().start(id, "video/mp2t", Mode.SEGMENTS, null).join();
                try (LiveWorker first = LiveWorker.start(config, cluster.recordings, cluster.storage, cluster.storage,
                        cluster.storage, EventPublisher.none(), merger.workSpace(), registry)) {
                    for (int seq = 0; seq < half; seq++) {
                        write(cluster, id, started.epoch(), seq, chunks.get(seq));
                        Thread.sleep(200);
                    }
                    Waits.until(() -> Long.parseLong(cluster.recordings.liveIndex().status(id).join()
                            .getOrDefault("chunks", "0")) >= half
                            && Integer.parseInt(cluster.recordings.liveIndex().status(id).join()
                            .getOrDefault("segments", "0")) >= 2, Duration.ofSeconds(60), "the first worker lists 2 segments");
                    Thread.sleep(1000); // FFmpeg has written what it has of the chunks read
                }
                try (LiveWorker second = LiveWorker.start(config, cluster.recordings, cluster.storage, cluster.storage,
                        cluster.storage, EventPublisher.none(), merger.workSpace(), registry)) {
                    for (int seq = half; seq < chunks.size(); seq++) {
                        write(cluster, id, started.epoch(), seq, chunks.get(seq));
                    }
                    cluster.recordings.ledger().stop(id, started.epoch(), (long) chunks.size() - 1).join();
                    cluster.recordings.mergeQueue().enqueue(id).join();
                    var rec = cluster.awaitState(id, Set.of(RecordingState.COMPLETED, RecordingState.FAILED), Duration.ofSeconds(90));
                    assertEquals(RecordingState.COMPLETED, rec.state());
                    Map<String, String> status = cluster.recordings.liveIndex().status(id).join();
                    Counter failed = registry.find("recingest_live_renditions_total").tag("outcome", "failed").counter();
                    assertEquals(0.0, failed == null ? 0.0 : failed.count(), "renditions that failed: " + status);
                    assertNotNull(status.get("finalAt"), "the rendition staged the MP4 the merge published: " + status);
                    String vod = new String(cluster.storage.getBytes(cluster.storage.keys().livePlaylist(id)).join(),
                            StandardCharsets.UTF_8);
                    assertTrue(vod.contains("#EXT-X-ENDLIST"), vod);
                    double listed = vod.lines().filter(l -> l.startsWith("#EXTINF:"))
                            .mapToDouble(l -> Double.parseDouble(l.substring(8, l.indexOf(',')))).sum();
                    assertEquals(20.0, listed, 0.2, "the VOD playlist lists the whole recording:\n" + vod);
                    assertEquals(20.0, rec.durationSeconds(), 0.2, "the MP4's duration");
                }
            }
        }
    }

    private static void write(TestCluster cluster, RecordingId id, long epoch, int seq, byte[] bytes) {
        Outcomes.Assignment a = cluster.recordings.ledger().assign(id, epoch, seq, SeqMode.EXPLICIT).join();
        cluster.put(id, a.index(), bytes);
        cluster.recordings.ledger().commit(id, a.index(), bytes.length).join();
    }
}
