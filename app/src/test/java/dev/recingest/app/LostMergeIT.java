package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.client.admin.AdminClient;
import dev.recingest.client.admin.RecordingStatus;
import dev.recingest.gateway.GatewayServer;
import dev.recingest.protocol.Message;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingKeys;
import dev.recingest.testkit.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, item 11: a Redis rollback that loses a queued merge job together with everything else Redis knew
 * of the recording (a copy of the append-only file from before the recording existed). Nothing in Redis
 * refers to the recording any more; the stop recorded in storage marks its merge as owed, and the janitor
 * must bring the stop back so that the recording is merged.
 */
class LostMergeIT {

    @TempDir
    Path dir;

    @Test
    void aStopWhoseRecordAndMergeJobRedisLostIsMergedAnyway() throws Exception {
        try (FailureCluster cluster = new FailureCluster(dir, false)) {
            GatewayServer gateway = cluster.startInProcessGateway(Map.of("RECINGEST_STALL_TIMEOUT", "1s",
                    "RECINGEST_RECORDING_IDLE_TIMEOUT", "3s", "RECINGEST_JANITOR_INTERVAL", "500ms"));
            AdminClient admin = cluster.admin(FailureCluster.httpBase(gateway.port()));
            Path ts = Media.tsH264Aac(dir, 4);
            List<byte[]> chunks = Recorder.byteRanges(ts, (int) ((Files.size(ts) + 19) / 20));
            String id = "lost-merge";
            Path snapshot = cluster.redis.snapshot(dir.resolve("before.aof"));
            Message.Stopped stopped = new Recorder().record(Recorder.options(FailureCluster.ingestUri(gateway.port()),
                    cluster.recorderToken()), id, "video/mp2t", chunks, Duration.ZERO, i -> { });
            assertEquals(chunks.size(), stopped.chunks());

            // No merger ran yet; Redis comes back without the recording and without its merge job.
            cluster.redis.restartFrom(snapshot);
            Waits.until(() -> {
                try {
                    return cluster.backends.connection().sync()
                            .exists(new RecordingKeys(RecordingId.of(id)).all()) == 0;
                } catch (RuntimeException reconnecting) {
                    return false;
                }
            }, Duration.ofSeconds(30), "Redis is back, without the recording");
            try (AutoCloseable merger = MergerWiring.start(cluster.settings.with(Map.of("RECINGEST_MERGE_WORK_DIR",
                    dir.resolve("work").toString())), cluster.backends)) {
                RecordingStatus status = admin.awaitFinal(id, Duration.ofMinutes(2), Duration.ofMillis(250));
                assertTrue(status.isCompleted(), status.state() + ": " + status.error());
                assertEquals(chunks.size(), status.chunks());
                cluster.assertCompletedMp4(admin, id, 4);
            }
        }
    }
}
