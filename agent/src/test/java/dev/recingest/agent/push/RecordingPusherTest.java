package dev.recingest.agent.push;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.client.ClientException;
import dev.recingest.client.ClientOptions;
import dev.recingest.client.FakeGateway;
import dev.recingest.client.admin.AdminClient;
import dev.recingest.client.admin.FakeAdminApi;
import dev.recingest.protocol.CloseCodes;
import dev.recingest.protocol.Mode;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The pusher end to end against {@link FakeGateway} and {@link FakeAdminApi}: not the real gateway. */
@Timeout(120)
class RecordingPusherTest {

    @TempDir
    static Path tmp;
    static Path mp4;

    private FakeGateway gateway;
    private FakeAdminApi api;
    private RecordingPusher pusher;

    @BeforeAll
    static void generate() throws Exception {
        mp4 = TestMedia.generate(tmp.resolve("talk.mp4"), 10);
    }

    @BeforeEach
    void setUp() throws Exception {
        gateway = new FakeGateway();
        api = new FakeAdminApi("adm");
        ClientOptions options = ClientOptions.defaults(gateway.uri(), "jwt")
                .withResend(5, Duration.ofMillis(20), Duration.ofMillis(100));
        pusher = new RecordingPusher(options, new AdminClient(api.base(), "adm"));
    }

    @AfterEach
    void tearDown() {
        gateway.close();
        api.close();
    }

    @Test
    void streamModeSendsTheFileAsByteRanges() throws Exception {
        gateway.nackOnce.add(1L);
        PushResult r = pusher.push(PushRequest.of(mp4, Mode.STREAM).withRecordingId("push-stream")
                .withChunkSize(64 * 1024).withMergeWait(false, Duration.ofSeconds(1)));
        byte[] file = Files.readAllBytes(mp4);
        assertEquals("push-stream", r.recordingId());
        assertEquals("STOPPED", r.state());
        assertEquals((file.length + 65535) / 65536, r.chunks());
        assertEquals(file.length, r.bytes());
        FakeGateway.Rec rec = gateway.rec("push-stream");
        assertEquals("video/mp4", rec.contentType);
        assertEquals("stream", rec.mode);
        assertArrayEquals(file, rec.joined());
    }

    @Test
    void segmentsModeSendsOneTsFilePerChunkAndWaitsForTheMerge() throws Exception {
        String merging = "{\"recordingId\":\"push-seg\",\"state\":\"MERGING\"}";
        String done = "{\"recordingId\":\"push-seg\",\"state\":\"COMPLETED\",\"output\":{\"key\":\"push-seg/recording.mp4\","
                + "\"size\":1000,\"durationSeconds\":10.02}}";
        api.bodies.put("push-seg", List.of(merging, done));
        PushResult r = pusher.push(PushRequest.of(mp4, Mode.SEGMENTS).withRecordingId("push-seg")
                .withSegmentTime(Duration.ofSeconds(2)).withMergeWait(true, Duration.ofSeconds(20)));
        assertTrue(r.completed());
        assertEquals(5, r.chunks());
        assertEquals("push-seg/recording.mp4", r.output().key());
        assertEquals(10.02, r.output().durationSeconds());
        assertNull(r.error());
        FakeGateway.Rec rec = gateway.rec("push-seg");
        assertEquals("video/mp2t", rec.contentType);
        assertEquals("segments", rec.mode);
        Path joined = tmp.resolve("push-seg.ts");
        Files.write(joined, rec.joined());
        assertEquals(10.0, TestMedia.formatDuration(joined), 0.1);
        for (Map.Entry<Long, byte[]> e : rec.stored.entrySet()) {
            Path seg = Files.write(tmp.resolve("seg" + e.getKey() + ".ts"), e.getValue());
            assertTrue(TestMedia.startsWithKeyframe(seg));
        }
    }

    @Test
    void pushingAgainWithTheSameIdResumesWithoutDuplicates() throws Exception {
        PushRequest req = PushRequest.of(mp4, Mode.STREAM).withRecordingId("push-again").withChunkSize(100_000)
                .withMergeWait(false, Duration.ofSeconds(1));
        // First attempt dies mid-way: the gateway drops the connection and resume is off.
        gateway.closeAtChunk = 3;
        gateway.closeCode = CloseCodes.INTERNAL_ERROR;
        RecordingPusher noResume = new RecordingPusher(ClientOptions.defaults(gateway.uri(), null)
                .withReconnectAttempts(0), null);
        ClientException e = assertThrows(ClientException.class, () -> noResume.push(req));
        assertEquals(CloseCodes.INTERNAL_ERROR, e.closeCode());
        PushResult r = pusher.push(req);
        assertArrayEquals(Files.readAllBytes(mp4), gateway.rec("push-again").joined());
        assertEquals(Files.size(mp4), r.bytes());
    }

    @Test
    void waitingForTheMergeNeedsAnAdminClient() {
        RecordingPusher p = new RecordingPusher(ClientOptions.defaults(gateway.uri(), null), null);
        assertThrows(IllegalArgumentException.class, () -> p.push(PushRequest.of(mp4, Mode.STREAM)));
    }

    static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }
}
