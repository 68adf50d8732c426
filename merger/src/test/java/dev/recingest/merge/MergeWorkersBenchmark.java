package dev.recingest.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the number of merge workers does to recordings queued behind a long merge: one long transcode (VP8
 * WebM, which MP4 cannot carry) queued first, then eight short copies (MPEG-TS segments), for 1, 2 and 4
 * workers. Prints, per worker count, how long the short ones waited for their outcome (from their queueing)
 * and how long everything took; asserts only that every merge completed. Not part of the suite (the name
 * matches neither *Test nor *IT): {@code ./mvnw -o verify -pl merger -am -Dit.test=MergeWorkersBenchmark
 * -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false}; a few minutes, most of it the transcodes.
 */
@Tag("benchmark")
class MergeWorkersBenchmark {

    private static final int LONG_SECONDS = 120;
    private static final int SHORT = 8;

    @TempDir
    Path dir;

    @Test
    void shortMergesBehindALongOne() throws Exception {
        Path media = Files.createDirectories(dir.resolve("media"));
        List<byte[]> longChunks = MediaFixtures.byteRanges(MediaFixtures.mediaRecorderWebm(media, "long", LONG_SECONDS,
                "1280x720", List.of("-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "2000k")),
                256 << 10);
        List<byte[]> shortChunks = MediaFixtures.readAll(MediaFixtures.tsSegments(media, 20, 2));
        List<String> rows = new ArrayList<>();
        try (TestCluster cluster = new TestCluster(dir)) {
            for (int workers : new int[] {1, 2, 4}) {
                rows.add(run(cluster, workers, longChunks, shortChunks));
            }
        }
        System.out.printf(Locale.ROOT, "merge workers, %d CPUs here: one %d s VP8->H.264 transcode queued first, then %d "
                + "copies of 20 s MPEG-TS%n", Runtime.getRuntime().availableProcessors(), LONG_SECONDS, SHORT);
        System.out.println("| workers | short merges: median wait s | short merges: longest wait s | long merge s | all done s |");
        System.out.println("|---|---|---|---|---|");
        rows.forEach(System.out::println);
    }

    private String run(TestCluster cluster, int workers, List<byte[]> longChunks, List<byte[]> shortChunks)
            throws Exception {
        String run = "w" + workers;
        MergerConfig config = cluster.config(dir.resolve("work-" + run), Map.of("RECINGEST_MERGE_WORKERS",
                Integer.toString(workers), "RECINGEST_MERGE_VISIBILITY_TIMEOUT", "60s"));
        RecordingId longId = RecordingId.of(run + "-long");
        cluster.record(longId, "video/webm;codecs=vp8,opus", Mode.STREAM, null, longChunks);
        List<RecordingId> shortIds = new ArrayList<>();
        for (int i = 0; i < SHORT; i++) {
            RecordingId id = RecordingId.of(run + "-short-" + i);
            cluster.record(id, "video/mp2t", Mode.SEGMENTS, null, shortChunks);
            shortIds.add(id);
        }
        try (MergeWorker worker = MergeWorker.start(config, cluster.redis, cluster.recordings, cluster.storage,
                new SimpleMeterRegistry())) {
            long longQueued = System.currentTimeMillis();
            cluster.recordings.mergeQueue().enqueue(longId).join();
            cluster.awaitState(longId, Set.of(RecordingState.MERGING), Duration.ofMinutes(1));
            long shortQueued = System.currentTimeMillis();
            for (RecordingId id : shortIds) {
                cluster.recordings.mergeQueue().enqueue(id).join();
            }
            List<Double> waits = new ArrayList<>();
            long last = 0;
            for (RecordingId id : shortIds) {
                Recording r = cluster.awaitState(id, Set.of(RecordingState.COMPLETED, RecordingState.FAILED),
                        Duration.ofMinutes(10));
                assertEquals(RecordingState.COMPLETED, r.state(), r.errorMessage());
                long done = completedAt(cluster, id);
                waits.add((done - shortQueued) / 1000.0);
                last = Math.max(last, done);
            }
            Recording l = cluster.awaitState(longId, Set.of(RecordingState.COMPLETED, RecordingState.FAILED),
                    Duration.ofMinutes(20));
            assertEquals(RecordingState.COMPLETED, l.state(), l.errorMessage());
            long longDone = completedAt(cluster, longId);
            double longSeconds = (longDone - longQueued) / 1000.0;
            double all = (Math.max(last, longDone) - longQueued) / 1000.0;
            waits.sort(Double::compare);
            return String.format(Locale.ROOT, "| %d | %.1f | %.1f | %.1f | %.1f |", workers, waits.get(waits.size() / 2),
                    waits.get(waits.size() - 1), longSeconds, all);
        }
    }

    private static long completedAt(TestCluster cluster, RecordingId id) {
        return Long.parseLong(cluster.recordings.fields(id).join().get("completedAt"));
    }
}
