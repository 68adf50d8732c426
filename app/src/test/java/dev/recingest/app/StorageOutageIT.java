package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.gateway.GatewayServer;
import dev.recingest.protocol.Message;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The object store goes away for 30 s in the middle of a recording: the embedded S3 server is stopped
 * and started again on the same port, under a gateway running in this JVM (default retry budget) and
 * the real {@code IngestClient}. Meanwhile every chunk is nacked (retryable) once the gateway's retries
 * are spent, nothing is acked, and {@code /readyz} says not ready; once S3 is back the client's resends
 * go through and the recording completes: a playable MP4, every chunk exactly as sent.
 */
class StorageOutageIT {

    private static final Duration OUTAGE = Duration.ofSeconds(30);
    private static final int SECONDS = 8;

    @TempDir
    static Path dir;
    static FailureCluster cluster;

    @BeforeAll
    static void up() {
        cluster = new FailureCluster(dir);
    }

    @AfterAll
    static void down() {
        cluster.close();
    }

    @Test
    void aThirtySecondS3OutageMidRecordingEndsWithACompleteRecording() throws Exception {
        GatewayServer gateway = cluster.startInProcessGateway(Map.of());
        URI http = FailureCluster.httpBase(gateway.port());
        List<byte[]> chunks = Recorder.byteRanges(Media.tsH264Aac(dir, SECONDS), 16 << 10);
        String id = "s3-outage";
        Recorder recorder = new Recorder();
        long[] outage = new long[2];
        int[] readyDuringOutage = new int[1];
        CompletableFuture<Void> restarted = new CompletableFuture<>();
        Message.Stopped stopped = recorder.record(Recorder.options(FailureCluster.ingestUri(gateway.port()),
                cluster.recorderToken()), id, "video/mp2t", chunks, Duration.ofMillis(50), i -> {
                    if (i == chunks.size() / 3) {
                        cluster.s3Server.stop();
                        outage[0] = System.nanoTime();
                        readyDuringOutage[0] = FailureCluster.httpStatus(http, "/readyz");
                        CompletableFuture.runAsync(() -> {
                            sleep(OUTAGE.toMillis());
                            outage[1] = System.nanoTime();
                            cluster.s3Server.start();
                            restarted.complete(null);
                        });
                    }
                });
        restarted.get(10, TimeUnit.SECONDS);
        long stoppedAt = System.nanoTime();
        assertEquals(chunks.size(), stopped.chunks());
        assertEquals(503, readyDuringOutage[0], "/readyz reports not ready while S3 is down");
        assertEquals(200, FailureCluster.httpStatus(http, "/readyz"), "ready again once S3 is back");
        assertTrue(recorder.nacks.get() > 0, "chunks were nacked during the outage");
        // A chunk whose PUT finished just before the stop may be acked just after; none later.
        long grace = TimeUnit.SECONDS.toNanos(2);
        assertEquals(0, recorder.acksBetween(outage[0] + grace, outage[1]), "nothing is acked while S3 is down");
        System.out.printf("S3 outage of %d s mid-recording: %d nacks, 0 acks during it; recording stopped %d ms "
                + "after S3 came back%n", OUTAGE.toSeconds(), recorder.nacks.get(), (stoppedAt - outage[1]) / 1_000_000);

        cluster.assertCompletedMp4(cluster.admin(http), id, SECONDS);
        cluster.assertChunksExact(id, chunks);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
