package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.client.admin.AdminClient;
import dev.recingest.client.admin.RecordingStatus;
import dev.recingest.gateway.GatewayServer;
import dev.recingest.protocol.Message;
import dev.recingest.protocol.RecordingId;
import dev.recingest.testkit.Waits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Redis rollback during a live recording changes nothing in its output. A recorder sends a 30 s MPEG-TS in about
 * real time through a gateway (in this JVM) while the merger (in this JVM, live rendition on, 3 s lease) renders it;
 * once 3 segments are listed Redis's append-only file is copied, and after 3 more Redis is killed (SIGKILL) and
 * started from that copy: it forgets the commits, the rendition's status and lease renewals of those seconds (the
 * lease has lapsed by then, so the rendition finds it lost and is taken up again from storage). The recording goes
 * on and stops. Then: the playlist names every segment once, in order (no hole, no repeat), it plays as long as what
 * was recorded, the MP4 came from the rendition, and it equals the batch merge of the same chunks (duration within
 * 0.05 s, the same streams, the same video frames, a frame at the middle).
 */
class LiveRedisRollbackIT {

    private static final int SECONDS = 30;

    @TempDir
    static Path dir;
    static FailureCluster cluster;
    static GatewayServer gateway;
    static AdminClient admin;

    @BeforeAll
    static void up() {
        cluster = new FailureCluster(dir, true, Map.of("RECINGEST_LIVE_LEASE", "3s", "RECINGEST_LIVE_POLL", "200ms",
                "RECINGEST_MERGE_POLL", "500ms"));
        gateway = cluster.startInProcessGateway(Map.of());
        admin = cluster.admin(FailureCluster.httpBase(gateway.port()));
    }

    @AfterAll
    static void down() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aRedisRollbackMidRecordingLeavesThePlaylistAndTheMp4AsWithoutIt() throws Exception {
        LiveFixtures.assumeFfprobe();
        String id = "live-rollback";
        Path source = Media.tsH264Aac(Files.createDirectories(dir.resolve("src")), SECONDS, "640x360");
        List<byte[]> chunks = Recorder.byteRanges(source, 32 << 10);
        int n = chunks.size();
        Path snapshot = dir.resolve("before.aof");
        int[] listed = new int[2];
        Recorder recorder = new Recorder();
        Message.Stopped stopped = recorder.record(Recorder.options(FailureCluster.ingestUri(gateway.port()),
                cluster.recorderToken()), id, "video/mp2t", chunks, Duration.ofMillis(SECONDS * 900L / n), i -> {
                    try {
                        if (i == n / 3) {
                            Waits.until(() -> segments(id) >= 3, Duration.ofSeconds(60), "3 segments listed");
                            listed[0] = segments(id);
                            cluster.redis.snapshot(snapshot);
                        } else if (i == 2 * n / 3) {
                            Waits.until(() -> segments(id) >= listed[0] + 3, Duration.ofSeconds(60),
                                    "3 more segments listed");
                            listed[1] = segments(id);
                            rollBack(snapshot);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new AssertionError(e);
                    }
                });
        assertEquals(n, stopped.chunks(), "stopped answered with every chunk");
        String outcome = assertRenditionExact(cluster, admin, id, chunks, source, dir, SECONDS);
        System.out.printf(Locale.ROOT, "live rollback: snapshot at %d listed segments, rolled back at %d; %s%n",
                listed[0], listed[1], outcome);
    }

    /**
     * Asserts what a user gets from a live recording that went through a failure: {@code COMPLETED} with every
     * chunk, the MP4 from the rendition, a playlist with every segment once in order and as long as what was
     * recorded, and an MP4 equal to the batch merge of the same chunks (duration within 0.05 s, the same streams and
     * video frames, a frame at the middle). Returns the figures, for the test's output.
     */
    static String assertRenditionExact(FailureCluster cluster, AdminClient admin, String id, List<byte[]> chunks,
                                       Path source, Path dir, double seconds) throws Exception {
        RecordingStatus status = admin.awaitFinal(id, Duration.ofMinutes(2), Duration.ofMillis(250));
        assertTrue(status.isCompleted(), id + " ended " + status.state() + ": " + status.error());
        assertEquals(chunks.size(), status.chunks(), "every chunk is in the recording");
        var live = cluster.backends.store().liveIndex().status(RecordingId.of(id)).join();
        assertNotNull(live.get("finalAt"), "the MP4 came from the rendition: " + live);

        var s3 = cluster.backends.s3();
        String vod = new String(s3.getBytes(s3.keys().livePlaylist(RecordingId.of(id))).join(), StandardCharsets.UTF_8);
        List<String> names = LiveFixtures.assertEverySegmentOnceInOrder(vod);
        Path local = Files.createDirectories(dir.resolve(id + "-vod"));
        for (String name : names) {
            Files.write(local.resolve(name), s3.getBytes(s3.keys().liveFile(RecordingId.of(id), name)).join());
        }
        Files.writeString(local.resolve("live.m3u8"), vod);
        Path mp4 = dir.resolve(id + "-fast.mp4");
        Files.write(mp4, s3.getBytes(status.output().key()).join());
        Path batch = LiveTakeoverIT.batchMerge("video/mp2t", chunks, source, dir.resolve(id + "-batch.mp4"));
        double vodSeconds = LiveFixtures.playlistSeconds(local.resolve("live.m3u8"));
        double fastSeconds = Media.duration(mp4);
        double batchSeconds = Media.duration(batch);
        long vodFrames = LiveTakeoverIT.countedVideoFrames(local.resolve("live.m3u8"));
        String fastFrames = LiveTakeoverIT.videoFrames(Media.probe(mp4));
        String batchFrames = LiveTakeoverIT.videoFrames(Media.probe(batch));
        assertEquals(batchSeconds, fastSeconds, 0.05, "the fast MP4 is as long as the batch merge");
        assertEquals(batchFrames, fastFrames, "the fast MP4 has the batch merge's frames");
        assertEquals(Long.parseLong(batchFrames), vodFrames, "the playlist has every frame once");
        assertEquals(seconds, vodSeconds, 0.1, "the VOD playlist plays as long as what was recorded");
        assertEquals(Media.streamTypes(batch), Media.streamTypes(mp4));
        Media.decodeFrameAt(mp4, fastSeconds / 2);
        return String.format(Locale.ROOT, "VOD playlist %d segments %.3f s %d frames; fast MP4 %.3f s %s frames; "
                + "batch merge %.3f s %s frames", names.size() - 1, vodSeconds, vodFrames, fastSeconds, fastFrames,
                batchSeconds, batchFrames);
    }

    private static int segments(String id) {
        return Integer.parseInt(cluster.backends.store().liveIndex().status(RecordingId.of(id)).join()
                .getOrDefault("segments", "0"));
    }

    /** Redis restarts from {@code snapshot}: see {@link FailureCluster#rollBackRedis}. */
    private static void rollBack(Path snapshot) throws InterruptedException {
        cluster.rollBackRedis(snapshot, gateway.port());
    }
}
