package dev.recingest.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.MergeQueue;
import dev.recingest.state.Outcomes;
import dev.recingest.state.RecordingState;
import dev.recingest.state.RedisConnection;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backlog gauges against a real Redis holding recordings in every unfinished state and a merge queue
 * with a job waiting and one held by a worker: what a dashboard shows is what Redis holds.
 */
class BacklogMetricsIT {

    @TempDir
    Path dir;

    @Test
    void countsUnfinishedRecordingsByStateAndTheMergeQueue() throws Exception {
        try (TestCluster cluster = new TestCluster(dir);
             RedisConnection sync = cluster.redis.connect()) {
            MergeQueue queue = new MergeQueue(sync.sync());
            queue.ensureGroup();
            for (int i = 0; i < 3; i++) {
                start(cluster, "live-" + i);
            }
            start(cluster, "quiet");
            cluster.recordings.transition(RecordingId.of("quiet"), List.of(RecordingState.RECORDING),
                    RecordingState.STALLED, Map.of()).join();
            stopAndQueue(cluster, "done");
            stopAndQueue(cluster, "being-merged");
            stopAndQueue(cluster, "waiting");
            // A worker takes two jobs: it finishes one (COMPLETED, acked) and is still merging the other.
            for (int i = 0; i < 2; i++) {
                MergeQueue.Job job = queue.take("worker-1", Duration.ofMinutes(5), Duration.ofMillis(100)).orElseThrow();
                RecordingState to = job.recordingId().value().equals("done") ? RecordingState.COMPLETED : RecordingState.MERGING;
                cluster.recordings.transition(job.recordingId(), List.of(RecordingState.STOPPED), to, Map.of()).join();
                if (to == RecordingState.COMPLETED) {
                    queue.ack(job);
                }
            }
            assertEquals(RecordingState.MERGING, cluster.recordings.get(RecordingId.of("being-merged")).join()
                    .orElseThrow().state(), "jobs are taken in queue order");

            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (BacklogMetrics metrics = BacklogMetrics.start(cluster.redis, registry)) {
                metrics.refresh();
                String text = registry.scrape();
                assertEquals(3.0, value(text, "recingest_recordings_unfinished{state=\"recording\"}"), text);
                assertEquals(1.0, value(text, "recingest_recordings_unfinished{state=\"stalled\"}"), text);
                assertEquals(1.0, value(text, "recingest_recordings_unfinished{state=\"stopped\"}"), text);
                assertEquals(1.0, value(text, "recingest_recordings_unfinished{state=\"merging\"}"), text);
                assertEquals(2.0, value(text, "recingest_merge_queue_jobs"), text);
                assertEquals(1.0, value(text, "recingest_merge_queue_held_jobs"), text);
                double age = value(text, "recingest_merge_queue_oldest_age_seconds");
                assertTrue(age >= 0 && age < 120, "oldest job age " + age);

                // Redis gone: the gauges say "unknown", not the last figures.
                cluster.backend.servers.redisServer().stop();
                metrics.refresh();
                text = registry.scrape();
                assertTrue(Double.isNaN(value(text, "recingest_merge_queue_jobs")), text);
                assertTrue(Double.isNaN(value(text, "recingest_recordings_unfinished{state=\"recording\"}")), text);
            }
        }
    }

    private static void start(TestCluster cluster, String id) {
        assertEquals(Outcomes.StartKind.CREATED,
                cluster.recordings.ledger().start(RecordingId.of(id), "video/webm", Mode.STREAM, "").join().kind());
    }

    private static void stopAndQueue(TestCluster cluster, String id) {
        Outcomes.StartOutcome started = cluster.recordings.ledger().start(RecordingId.of(id), "video/webm", Mode.STREAM, "").join();
        assertEquals(Outcomes.StopKind.STOPPED, cluster.recordings.ledger().stop(RecordingId.of(id), started.epoch(), null).join().kind());
        cluster.recordings.mergeQueue().enqueue(RecordingId.of(id)).join();
    }

    /** The value of one series in Prometheus text format. */
    static double value(String text, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
        if (!m.find()) {
            throw new AssertionError("no series " + series + " in:\n" + text);
        }
        return Double.parseDouble(m.group(1));
    }
}
