package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.client.CloseStatus;
import dev.recingest.client.RawWebSocket;
import dev.recingest.client.admin.AdminClient;
import dev.recingest.client.admin.RecordingStatus;
import dev.recingest.config.Settings;
import dev.recingest.gateway.GatewayServer;
import dev.recingest.protocol.CloseCodes;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.Message;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingKeys;
import dev.recingest.testkit.Waits;
import dev.recingest.webhook.WebhookConfig;
import dev.recingest.webhook.WebhookDelivery;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis forgets, the honest way: the Redis process is killed and started again from a copy of its
 * append-only file taken earlier ({@code EmbeddedRedis.snapshot} / {@code restartFrom}), so every write after
 * the copy is gone (a crash under {@code appendfsync everysec}, or a failover to a lagging replica, loses the
 * same, only less). A gateway and a merger (RECINGEST_KEEP_CHUNKS=false) run in this JVM, with a janitor
 * that auto-stops after 3 s; webhooks go to a real receiver. Whatever Redis forgets, what was acked holds: a
 * stop, its chunks, the outcome, an abort.
 */
class RedisRollbackIT {

    private static final String WEBHOOK_SECRET = "rollback-webhook-secret";
    private static final int SECONDS = 12;

    @TempDir
    static Path dir;
    static WebhookReceiver receiver;
    static FailureCluster cluster;
    static GatewayServer gateway;
    static WebhookDelivery delivery;
    static AdminClient admin;
    /** About 60 consecutive byte ranges of a 12 s MPEG-TS. */
    static List<byte[]> segments;

    @BeforeAll
    static void up() throws Exception {
        receiver = new WebhookReceiver(WEBHOOK_SECRET);
        cluster = new FailureCluster(dir, true, Map.of("RECINGEST_KEEP_CHUNKS", "false",
                "RECINGEST_MERGE_VISIBILITY_TIMEOUT", "3s"));
        gateway = cluster.startInProcessGateway(Map.of("RECINGEST_STALL_TIMEOUT", "1s",
                "RECINGEST_RECORDING_IDLE_TIMEOUT", "3s", "RECINGEST_JANITOR_INTERVAL", "500ms",
                // A chunk sent while storage is down is nacked within a second (the re-merge test).
                "RECINGEST_S3_MAX_ATTEMPTS", "1", "RECINGEST_S3_ATTEMPT_TIMEOUT", "1s", "RECINGEST_S3_CALL_TIMEOUT", "2s"));
        delivery = WebhookDelivery.start(WebhookConfig.from(Settings.of(Map.of(
                "RECINGEST_WEBHOOK_URLS", receiver.url().toString(), "RECINGEST_WEBHOOK_SECRET", WEBHOOK_SECRET,
                "RECINGEST_WEBHOOK_POLL", "500ms", "RECINGEST_WEBHOOK_TIMEOUT", "2s"))), cluster.backends.redis(),
                new SimpleMeterRegistry());
        admin = cluster.admin(FailureCluster.httpBase(gateway.port()));
        Path ts = Media.tsH264Aac(dir, SECONDS);
        segments = Recorder.byteRanges(ts, (int) ((Files.size(ts) + 59) / 60));
    }

    @AfterAll
    static void down() {
        if (delivery != null) {
            delivery.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    /**
     * Issue 10, first finding: every chunk acked and {@code stopped} answered with all of them, then Redis comes
     * back from a copy taken ten chunks before the end. The recorder is gone; the janitor finds the recording
     * idle and must end it with every chunk: the stop and its merge job were lost, the stop's manifest and the
     * chunk objects were not.
     */
    @Test
    void aStopRedisForgetsEndsWithEveryAckedChunkThroughTheJanitor() throws Exception {
        String id = "rollback-stop-janitor";
        Path snapshot = dir.resolve(id + ".aof");
        Recorder recorder = new Recorder();
        int n = segments.size();
        Message.Stopped stopped = recorder.record(Recorder.options(FailureCluster.ingestUri(gateway.port()),
                cluster.recorderToken()), id, "video/mp2t", segments, Duration.ofMillis(10), i -> {
                    if (i == n - 10) {
                        awaitAcks(recorder, i);
                        cluster.redis.snapshot(snapshot);
                    }
                });
        assertEquals(n, stopped.chunks(), "stopped answered with every chunk");
        rollBack(snapshot);

        RecordingStatus status = admin.awaitFinal(id, Duration.ofMinutes(2), Duration.ofMillis(250));
        assertTrue(status.isCompleted(), id + " ended " + status.state() + ": " + status.error());
        assertEquals(n, status.chunks(), "every acked chunk is in the recording");
        assertMp4(id, status, n);
    }

    /**
     * A recording storage shows as stopped (and merged) is never opened again (PROTOCOL.md, start), whether
     * Redis lost its keys (a copy from before the recording existed) or they expired: a new recorder that
     * starts the id gets NOT_OPEN with the state and 4409, and the MP4 stays the one that was made.
     */
    @Test
    void anIdStorageShowsFinishedIsNeverReopenedAfterRedisForgotIt() throws Exception {
        String id = "rollback-reuse";
        Path snapshot = cluster.redis.snapshot(dir.resolve(id + ".aof"));
        Recorder recorder = new Recorder();
        recorder.record(Recorder.options(FailureCluster.ingestUri(gateway.port()), cluster.recorderToken()), id,
                "video/mp2t", segments.subList(0, 20), Duration.ZERO, i -> { });
        RecordingStatus done = admin.awaitFinal(id, Duration.ofMinutes(2), Duration.ofMillis(250));
        assertTrue(done.isCompleted(), done.state() + ": " + done.error());
        String mp4Before = Media.sha256(cluster.s3().getBytes(done.output().key()).join());
        rollBack(snapshot);
        assertRefused(id, "COMPLETED");
        assertEquals(mp4Before, Media.sha256(cluster.s3().getBytes(done.output().key()).join()), "the MP4 is untouched");

        // Its keys expire (RECINGEST_RETENTION_REDIS) rather than being lost: the same answer.
        String other = "rollback-expired";
        recorder.record(Recorder.options(FailureCluster.ingestUri(gateway.port()), cluster.recorderToken()), other,
                "video/mp2t", segments.subList(0, 20), Duration.ZERO, i -> { });
        assertTrue(admin.awaitFinal(other, Duration.ofMinutes(2), Duration.ofMillis(250)).isCompleted());
        var redis = cluster.backends.connection().sync();
        for (String key : new RecordingKeys(RecordingId.of(other)).all()) {
            redis.pexpire(key, 1);
        }
        Waits.until(() -> redis.exists(new RecordingKeys(RecordingId.of(other)).all()) == 0, Duration.ofSeconds(10),
                "the keys expired");
        assertRefused(other, "COMPLETED");
    }

    /**
     * Issue 10, item 4: with RECINGEST_KEEP_CHUNKS=false the chunks are gone once the recording COMPLETED. Redis
     * then comes back from a copy taken right after the stop, with the merge job queued again: the merger must
     * find the outcome storage records, not fail a finished recording for its deleted chunks, and no
     * recording.failed may follow recording.completed.
     */
    @Test
    void aMergeJobRunAgainAfterItsOutcomeNeverFailsACompletedRecording() throws Exception {
        String id = "rollback-job-again";
        Path snapshot = dir.resolve(id + ".aof");
        Recorder recorder = new Recorder();
        recorder.record(Recorder.options(FailureCluster.ingestUri(gateway.port()), cluster.recorderToken()), id,
                "video/mp2t", segments.subList(0, 20), Duration.ZERO, i -> { });
        cluster.redis.snapshot(snapshot); // STOPPED, its merge job queued
        RecordingStatus done = admin.awaitFinal(id, Duration.ofMinutes(2), Duration.ofMillis(250));
        assertTrue(done.isCompleted(), done.state() + ": " + done.error());
        Waits.until(() -> cluster.s3().listChunks(RecordingId.of(id)).join().isEmpty(), Duration.ofSeconds(30),
                "the chunks were deleted after the merge (RECINGEST_KEEP_CHUNKS=false)");

        rollBack(snapshot);
        assertTrue(Set.of("STOPPED", "MERGING").contains(admin.recording(id).state()), "Redis is back before the outcome");
        // The job runs again (at once, or after the visibility timeout if it was taken before the copy).
        admin.awaitFinal(id, Duration.ofMinutes(1), Duration.ofMillis(250));
        Thread.sleep(2000); // webhook deliveries of anything that followed
        RecordingStatus after = admin.recording(id);
        assertEquals("COMPLETED", after.state(), "a completed recording never fails: " + after.error());
        assertEquals(done.output().key(), after.output().key());
        assertEquals(List.of(), receiver.events(id, "recording.failed"), "no recording.failed after recording.completed");
        assertFalse(receiver.events(id, "recording.completed").isEmpty());
    }

    /**
     * Issue 10, item 3: a chunk is nacked (storage down) and its recorder goes away, so the auto-stop fails the
     * recording MISSING_CHUNKS. The documented fix, restoring the chunk object and asking for a re-merge, must
     * work: the re-merge records the restored object from storage before the merge.
     */
    @Test
    void aRemergeAfterMissingChunksRecordsTheRestoredObject() throws Exception {
        String id = "rollback-remerge";
        RecordingId rid = RecordingId.of(id);
        List<byte[]> chunks = segments.subList(0, 10);
        try (RawWebSocket ws = RawWebSocket.connect(FailureCluster.ingestUri(gateway.port()), cluster.recorderToken())) {
            ws.sendMessage(new Message.Start(id, "video/mp2t", "stream", null, null)).join();
            ws.expect(Message.Started.class, Duration.ofSeconds(20));
            for (int seq = 0; seq < 5; seq++) {
                ws.sendChunk(seq, chunks.get(seq)).join();
                ws.expect(Message.Ack.class, Duration.ofSeconds(20));
            }
            cluster.s3Server.stop();
            try {
                ws.sendChunk(5, chunks.get(5)).join();
                Message.Nack nack = ws.expect(Message.Nack.class, Duration.ofSeconds(30));
                assertEquals(5, nack.seq());
            } finally {
                cluster.s3Server.start();
            }
            for (int seq = 6; seq < 10; seq++) {
                ws.sendChunk(seq, chunks.get(seq)).join();
                ws.expect(Message.Ack.class, Duration.ofSeconds(30));
            }
        } // the recorder goes away without resending chunk 5 or stopping
        RecordingStatus failed = admin.awaitFinal(id, Duration.ofMinutes(1), Duration.ofMillis(250));
        assertEquals("FAILED", failed.state());
        assertEquals("MISSING_CHUNKS", failed.error().code(), failed.error().message());

        cluster.s3().putChunk(rid, 5, io.netty.buffer.Unpooled.wrappedBuffer(chunks.get(5))).join();
        var merge = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                FailureCluster.httpBase(gateway.port()).resolve("/v1/recordings/" + id + "/merge"))
                .header("Authorization", "Bearer " + FailureCluster.ADMIN_TOKEN)
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(202, merge.statusCode(), merge.body());
        Waits.until(() -> !stateOf(id).equals("FAILED"), Duration.ofSeconds(30), "the re-merge started");
        RecordingStatus done = admin.awaitFinal(id, Duration.ofMinutes(2), Duration.ofMillis(250));
        assertTrue(done.isCompleted(), done.state() + ": " + done.error());
        assertEquals(10, done.chunks());
    }

    /**
     * An abort Redis forgets: the tombstone in storage keeps the id ended, so the recorder that starts it again
     * is told NOT_OPEN ABORTED instead of writing into a recording whose chunks are gone.
     */
    @Test
    void anAbortRedisForgetsKeepsTheIdEnded() throws Exception {
        String id = "rollback-abort";
        Path snapshot = dir.resolve(id + ".aof");
        try (RawWebSocket ws = RawWebSocket.connect(FailureCluster.ingestUri(gateway.port()), cluster.recorderToken())) {
            ws.sendMessage(new Message.Start(id, "video/mp2t", "stream", null, null)).join();
            ws.expect(Message.Started.class, Duration.ofSeconds(20));
            for (int seq = 0; seq < 3; seq++) {
                ws.sendChunk(seq, segments.get(seq)).join();
                ws.expect(Message.Ack.class, Duration.ofSeconds(20));
            }
            cluster.redis.snapshot(snapshot);
            ws.sendMessage(new Message.Abort()).join();
            ws.expect(Message.Aborted.class, Duration.ofSeconds(20));
        }
        assertTrue(cluster.s3().listChunks(RecordingId.of(id)).join().isEmpty(), "the chunks are deleted");
        rollBack(snapshot);
        assertRefused(id, "ABORTED");
    }

    /** Redis restarts from {@code snapshot}: see {@link FailureCluster#rollBackRedis}. */
    private static void rollBack(Path snapshot) throws InterruptedException {
        cluster.rollBackRedis(snapshot, gateway.port());
    }

    /** A new recorder's start of {@code id}: NOT_OPEN with {@code state}, then close 4409. */
    private static void assertRefused(String id, String state) throws Exception {
        try (RawWebSocket ws = RawWebSocket.connect(FailureCluster.ingestUri(gateway.port()), cluster.recorderToken())) {
            ws.sendMessage(new Message.Start(id, "video/mp2t", "stream", null, null)).join();
            Message m = ws.nextMessage(Duration.ofSeconds(30));
            assertTrue(m instanceof Message.Error, "start of an ended id: " + m);
            Message.Error e = (Message.Error) m;
            assertEquals("NOT_OPEN", e.code(), e.message());
            assertEquals(state, e.state());
            CloseStatus closed = ws.awaitClose(Duration.ofSeconds(10));
            assertEquals(CloseCodes.NOT_OPEN, closed.code());
        }
    }

    private static void assertMp4(String id, RecordingStatus status, int chunks) throws Exception {
        Path mp4 = dir.resolve(id + ".mp4");
        Files.write(mp4, cluster.s3().getBytes(status.output().key()).join());
        assertEquals(List.of("video", "audio"), Media.streamTypes(mp4));
        assertEquals(SECONDS, Media.duration(mp4), 0.5, "MP4 duration: every chunk is in it");
        JsonNode manifest = Json.MAPPER.readTree(cluster.s3().getBytes(cluster.s3().keys().manifest(RecordingId.of(id))).join());
        assertEquals(chunks, manifest.get("chunkCount").asInt());
        assertEquals(chunks, manifest.get("chunks").size());
    }

    private static void awaitAcks(Recorder recorder, int acks) {
        try {
            Waits.until(() -> recorder.ackNanos.size() >= acks, Duration.ofSeconds(60), acks + " chunks acked");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String stateOf(String id) {
        try {
            return admin.recording(id).state();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
