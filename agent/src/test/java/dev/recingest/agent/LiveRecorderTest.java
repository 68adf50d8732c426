package dev.recingest.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.client.ClientOptions;
import dev.recingest.client.FakeGateway;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recorder's own logic with real FFmpeg sources on loopback, against the client's scripted
 * {@link FakeGateway} (which answers {@code part}; the real gateway does not yet, so the launcher's
 * integration tests of parts are skipped until it does). The gateway's side is checked by those tests.
 */
class LiveRecorderTest {

    @TempDir
    Path dir;
    FakeGateway gateway;

    @BeforeEach
    void up() throws Exception {
        gateway = new FakeGateway();
    }

    @AfterEach
    void down() {
        gateway.close();
    }

    private AgentOptions options() {
        return AgentOptions.defaults(LiveTestMedia.ffmpeg(), dir.resolve("spool"))
                .withTimeouts(Duration.ofSeconds(4), Duration.ofSeconds(10));
    }

    private LiveRecorder.Outcome record(String id, LiveSource source, AgentOptions opts) throws Exception {
        return new LiveRecorder(new RecordingJob(id, source, null), opts,
                ClientOptions.defaults(gateway.uri(), null), new SimpleMeterRegistry()).call();
    }

    @Test
    void aFileIsRecordedToItsEndInSegmentsWithExplicitSeqs() throws Exception {
        Path file = LiveTestMedia.tsFile(dir, 6);
        LiveRecorder.Outcome out = record("file-1", LiveSource.parse(file.toString(), "tcp"), options());

        assertEquals(LiveRecorder.Reason.SOURCE_ENDED, out.reason(), out.toString());
        assertNotNull(out.stopped(), out.error());
        FakeGateway.Rec rec = gateway.recordings.get("file-1");
        assertEquals("segments", rec.mode);
        assertEquals("video/mp2t", rec.contentType);
        assertEquals(out.segments(), rec.stored.size());
        assertEquals(List.of(), rec.partStarts);
        Path joined = write(rec.joined(), "file-1.ts");
        assertEquals(6.0, LiveTestMedia.duration(joined), 0.3);
        assertFalse(Files.exists(dir.resolve("spool").resolve("file-1")), "the spool folder is removed once stopped");
        System.out.printf("agent, file source: %d segments, joined duration %.3f s%n", out.segments(),
                LiveTestMedia.duration(joined));
    }

    @Test
    void aSourceThatNeverAnswersIsGivenUpAfterTheSourceTimeout() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        long t0 = System.nanoTime();
        LiveRecorder.Outcome out = record("never", LiveSource.parse("rtsp://127.0.0.1:" + closedPort + "/cam", "tcp"),
                options().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(3)));
        assertEquals(LiveRecorder.Reason.SOURCE_GONE, out.reason(), out.toString());
        assertNull(out.stopped(), "nothing was recorded, so there is no recording to stop");
        assertTrue(out.drops() >= 2, "it was retried: " + out);
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(60));
    }

    @Test
    void aSourceWhoseProtocolFfmpegLacksIsRefusedWithoutRetrying() throws Exception {
        LiveRecorder.Outcome out = record("no-protocol", LiveSource.parse("nosuchproto://127.0.0.1/x", "tcp"), options());
        assertEquals(LiveRecorder.Reason.SOURCE_UNSUPPORTED, out.reason(), out.toString());
        assertEquals(0, out.drops(), "not retried");
    }

    @Test
    void vp8IsSpooledAsWebmSegmentsAndMaxDurationEndsTheRecording() throws Exception {
        try (LiveTestMedia.RtpSender rtp = LiveTestMedia.RtpSender.prepare(dir, LiveTestMedia.Video.VP8).size("160x120")) {
            CompletableFuture<LiveRecorder.Outcome> running = CompletableFuture.supplyAsync(() -> {
                try {
                    return record("rtp-vp8", LiveSource.parse(rtp.sdp.toString(), "tcp"),
                            options().withMaxDuration(Duration.ofSeconds(4)));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(1000);
            rtp.send(20);
            LiveRecorder.Outcome out = running.get(60, TimeUnit.SECONDS);
            assertEquals(LiveRecorder.Reason.MAX_DURATION, out.reason(), out.toString());
            FakeGateway.Rec rec = gateway.recordings.get("rtp-vp8");
            assertEquals("video/webm", rec.contentType);
            Path first = write(rec.stored.firstEntry().getValue(), "first.webm");
            assertEquals(List.of("audio:opus", "video:vp8"), LiveTestMedia.streams(first).stream().sorted().toList());
        }
    }

    @Test
    void aGatewayWithoutPartsGetsTheRecordingStoppedWithWhatItHasAndTheSpoolKeepsTheRest() throws Exception {
        gateway.parts = false;
        Path spoolDir = dir.resolve("spool").resolve("no-parts");
        // A crashed agent's spool: one segment delivered by nobody, the next run of FFmpeg needs a part.
        Path file = LiveTestMedia.tsFile(dir, 4);
        Files.createDirectories(spoolDir);
        Files.copy(file, spoolDir.resolve("seq-0000000000.ts"));
        Files.writeString(spoolDir.resolve("plan"), "TS copy copy\n");
        LiveRecorder.Outcome out = record("no-parts", LiveSource.parse(file.toString(), "tcp"), options());

        assertEquals(LiveRecorder.Reason.DELIVERY_FAILED, out.reason(), out.toString());
        assertFalse(out.stoppedCleanly());
        assertNotNull(out.stopped(), "the recording is stopped with what the gateway has: " + out);
        assertEquals(1, out.stopped().chunks());
        assertTrue(out.error().contains("PARTS_UNSUPPORTED"), out.error());
        assertEquals(1, gateway.recordings.get("no-parts").stored.size(), "the segment before the part was delivered");
        assertEquals("STOPPED", gateway.recordings.get("no-parts").state);
        assertFalse(gateway.texts.stream().anyMatch(t -> t.contains("\"part\"")), "no part was sent");
        assertTrue(Files.exists(spoolDir.resolve("part-0000000001")), "the part is still to be asked for");
        assertTrue(Files.exists(spoolDir.resolve("seq-0000000001.ts")), "the new run's segment stays in the spool");
    }

    @Test
    void aRestartedAgentDeliversWhatItsSpoolHoldsThenANewPart() throws Exception {
        Path spoolDir = dir.resolve("spool").resolve("crashed");
        Path run = Files.createDirectories(spoolDir.resolve("runs").resolve("000001"));
        Path source = LiveTestMedia.tsFile(dir, 6);
        // What a killed agent leaves: an adopted segment, one FFmpeg had finished (listed), one half-written.
        Path cut = Files.createDirectories(dir.resolve("cut"));
        LiveTestMedia.run(LiveTestMedia.ffmpeg().toString(), "-nostdin", "-loglevel", "error", "-i", source.toString(),
                "-c", "copy", "-f", "segment", "-segment_time", "2", "-reset_timestamps", "0",
                cut.resolve("s-%d.ts").toString());
        Files.copy(cut.resolve("s-0.ts"), spoolDir.resolve("seq-0000000000.ts"));
        Files.copy(cut.resolve("s-1.ts"), run.resolve("seg-000000.ts"));
        Files.writeString(run.resolve("list.csv"), "seg-000000.ts,2.0,4.0\n");
        byte[] third = Files.readAllBytes(cut.resolve("s-2.ts"));
        Files.write(run.resolve("seg-000001.ts"), java.util.Arrays.copyOf(third, third.length / 2 + 100));
        Files.writeString(spoolDir.resolve("plan"), "TS copy copy\n");
        Map<Long, String> spooled = Map.of(0L, sha256(Files.readAllBytes(spoolDir.resolve("seq-0000000000.ts"))),
                1L, sha256(Files.readAllBytes(run.resolve("seg-000000.ts"))));

        LiveRecorder.Outcome out = record("crashed", LiveSource.parse(LiveTestMedia.tsFile(dir, 4).toString(), "tcp"),
                options());

        assertEquals(LiveRecorder.Reason.SOURCE_ENDED, out.reason(), out.toString());
        FakeGateway.Rec rec = gateway.recordings.get("crashed");
        assertEquals(spooled.get(0L), sha256(rec.stored.get(0L)), "seq 0 is the spooled file");
        assertEquals(spooled.get(1L), sha256(rec.stored.get(1L)), "seq 1 is the finished segment of the dead run");
        assertEquals((third.length / 2 + 100) / 188 * 188, rec.stored.get(2L).length,
                "seq 2 is the half-written segment cut to whole TS packets");
        assertEquals(List.of(3L), rec.partStarts, "the new FFmpeg run is a new part");
        gateway.receivedPerSeq.forEach((seq, n) -> assertEquals(1, n.get(), "seq " + seq + " sent once"));
        assertEquals(4.0, LiveTestMedia.duration(write(join(rec, 3, rec.nextSeq), "new-part.ts")), 0.3);
    }

    private static byte[] join(FakeGateway.Rec rec, long from, long to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (long i = from; i < to; i++) {
            out.writeBytes(rec.stored.get(i));
        }
        return out.toByteArray();
    }

    private Path write(byte[] bytes, String name) throws Exception {
        return Files.write(dir.resolve(name), bytes);
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
