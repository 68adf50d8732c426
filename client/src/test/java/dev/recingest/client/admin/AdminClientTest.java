package dev.recingest.client.admin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.client.ClientException;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.ErrorDetail;
import dev.recingest.protocol.Message;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class AdminClientTest {

    private static final String COMPLETED = "{\"recordingId\":\"r1\",\"state\":\"COMPLETED\",\"contentType\":\"video/webm\","
            + "\"mode\":\"stream\",\"chunks\":42,\"bytes\":123,\"createdAt\":\"2025-01-01T00:00:00Z\","
            + "\"updatedAt\":\"2025-01-01T00:01:00Z\",\"output\":{\"key\":\"r1/recording.mp4\",\"size\":99,"
            + "\"durationSeconds\":20.02},\"extra\":1}";

    private FakeAdminApi api;
    private AdminClient admin;

    @BeforeEach
    void setUp() throws Exception {
        api = new FakeAdminApi("admin-secret");
        admin = new AdminClient(api.base(), "admin-secret");
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    @Test
    void readsARecording() throws Exception {
        api.bodies.put("r1", List.of(COMPLETED));
        RecordingStatus s = admin.recording("r1");
        assertEquals("COMPLETED", s.state());
        assertTrue(s.isFinal() && s.isCompleted());
        assertEquals(42, s.chunks());
        assertEquals(123, s.bytes());
        assertEquals("stream", s.mode());
        assertEquals("2025-01-01T00:00:00Z", s.createdAt());
        assertEquals(new RecordingStatus.Output("r1/recording.mp4", 99, 20.02), s.output());
        assertNull(s.error());
        assertEquals(1, s.raw().path("extra").asInt());
        assertEquals("/v1/recordings/r1 Bearer admin-secret", api.seen.get(0));
    }

    @Test
    void mapsStatusesToCodes() throws Exception {
        ClientException notFound = assertThrows(ClientException.class, () -> admin.recording("nope"));
        assertEquals("NOT_FOUND", notFound.code());
        assertEquals(404, notFound.httpStatus());
        AdminClient wrong = new AdminClient(api.base(), "wrong");
        ClientException unauthorized = assertThrows(ClientException.class, () -> wrong.recording("r1"));
        assertEquals("UNAUTHORIZED", unauthorized.code());
        assertEquals(401, unauthorized.httpStatus());
    }

    @Test
    void awaitsTheFinalState() throws Exception {
        String merging = "{\"recordingId\":\"r2\",\"state\":\"MERGING\"}";
        String failed = "{\"recordingId\":\"r2\",\"state\":\"FAILED\",\"error\":{\"code\":\"MERGE_FAILED\","
                + "\"message\":\"ffmpeg exited 1\"}}";
        api.bodies.put("r2", List.of(merging, merging, failed));
        RecordingStatus s = admin.awaitFinal("r2", Duration.ofSeconds(10), Duration.ofMillis(20));
        assertEquals("FAILED", s.state());
        assertEquals(new RecordingStatus.Failure("MERGE_FAILED", "ffmpeg exited 1"), s.error());
    }

    @Test
    void awaitTimesOut() {
        api.bodies.put("r3", List.of("{\"recordingId\":\"r3\",\"state\":\"MERGING\"}"));
        ClientException e = assertThrows(ClientException.class,
                () -> admin.awaitFinal("r3", Duration.ofMillis(200), Duration.ofMillis(20)));
        assertEquals(ClientException.TIMEOUT, e.code());
    }

    @Test
    void downloadsTheOutputWithoutSendingTheTokenToTheRedirect(@TempDir Path tmp) throws Exception {
        api.outputs.put("r1", new byte[]{5, 6, 7});
        Path target = tmp.resolve("out.mp4");
        assertEquals(3, admin.downloadOutput("r1", target));
        assertArrayEquals(new byte[]{5, 6, 7}, Files.readAllBytes(target));
        assertEquals("/presigned/r1 ", api.seen.get(api.seen.size() - 1));
        ClientException e = assertThrows(ClientException.class, () -> admin.downloadOutput("r9", target));
        assertEquals("CONFLICT", e.code());
        assertEquals(ErrorCode.CONFLICT, e.errorCode());
        assertEquals(new ErrorDetail.State("MERGING"), e.detail(), "the API's error body, read as the protocol's");
        assertEquals(409, e.httpStatus());
    }

    @Test
    void readsTheApisErrorBodyAndFallsBackToTheStatus() {
        Message.Error e = AdminClient.errorBody(
                "{\"status\":409,\"code\":\"INCOMPLETE\",\"message\":\"1 chunk(s) missing\",\"missing\":[1]}");
        assertEquals(Optional.of(ErrorCode.INCOMPLETE), e.errorCode());
        assertEquals(new ErrorDetail.Missing(List.of(1L)), e.detail());
        assertEquals("1 chunk(s) missing", e.message());
        Message.Error newer = AdminClient.errorBody("{\"status\":429,\"code\":\"QUOTA_EXCEEDED\",\"message\":\"x\"}");
        assertEquals("QUOTA_EXCEEDED", newer.code());
        assertEquals(Optional.empty(), newer.errorCode());
        assertNull(AdminClient.errorBody("<html>Bad Gateway</html>"));
        assertNull(AdminClient.errorBody("<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code></Error>"));
        assertNull(AdminClient.errorBody("[1,2]"));
        assertNull(AdminClient.errorBody("{\"code\":5}"));
        assertNull(AdminClient.errorBody(""));
    }
}
