package dev.recingest.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.protocol.CloseCodes;
import dev.recingest.protocol.Message;
import dev.recingest.protocol.Mode;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client against {@link FakeGateway}: protocol behaviour, not the real gateway. */
@Timeout(60)
class IngestClientTest extends WithFakeGateway {

    private static final String TOKEN = "test-token";

    private ClientOptions options() {
        return ClientOptions.defaults(gateway.uri(), TOKEN)
                .withResend(5, Duration.ofMillis(20), Duration.ofMillis(100))
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(20));
    }

    private static List<byte[]> chunks(int n, int size) {
        Random r = new Random(n * 31L + size);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[size];
            r.nextBytes(b);
            out.add(b);
        }
        return out;
    }

    private static byte[] join(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    private static ClientException failure(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
        return assertInstanceOf(ClientException.class, e.getCause());
    }

    @Test
    void pushesChunksAndStops() throws Exception {
        List<byte[]> data = chunks(20, 1000);
        try (IngestClient client = new IngestClient(options())) {
            Message.Started started = get(client.start("rec-happy", "video/webm", Mode.STREAM, null));
            assertEquals("rec-happy", started.recordingId());
            assertEquals(0, started.nextSeq());
            List<CompletableFuture<Message.Ack>> acks = new ArrayList<>();
            for (byte[] d : data) {
                acks.add(client.sendNext(d));
            }
            for (int i = 0; i < acks.size(); i++) {
                assertEquals(i, get(acks.get(i)).index());
            }
            Message.Stopped stopped = get(client.stop());
            assertEquals(20, stopped.chunks());
            assertEquals(20_000, stopped.bytes());
            assertEquals(CloseCodes.NORMAL, get(client.closed()).code());
            assertEquals(20, client.ackedChunks());
        }
        assertArrayEquals(join(data), gateway.rec("rec-happy").joined());
        assertEquals("Bearer " + TOKEN, gateway.authorizations.get(0));
        assertTrue(gateway.texts.get(0).contains("\"token\":\"" + TOKEN + "\""), gateway.texts.get(0));
        assertTrue(gateway.texts.get(gateway.texts.size() - 1).contains("\"lastSeq\":19"));
    }

    @Test
    void blocksAtTheWindowAndAcceptsAcksOutOfOrder() throws Exception {
        gateway.holdAcks = true;
        List<byte[]> data = chunks(10, 256 * 1024);
        try (IngestClient client = new IngestClient(options().withWindowBytes(1 << 20))) {
            get(client.start("rec-window", "video/webm", Mode.STREAM, null));
            List<CompletableFuture<Message.Ack>> acks = new CopyOnWriteArrayList<>();
            Thread producer = new Thread(() -> {
                for (int i = 0; i < data.size(); i++) {
                    acks.add(client.send(i, data.get(i)));
                }
            });
            producer.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (gateway.chunkFrames.get() < 4 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(300);
            assertEquals(4, gateway.chunkFrames.get(), "only a window's worth may be in flight");
            assertTrue(producer.isAlive(), "the producer must be blocked");
            assertEquals(1 << 20, client.unackedBytes());
            while (producer.isAlive()) {
                gateway.releaseAcks();
                producer.join(50);
            }
            gateway.releaseAcks();
            for (CompletableFuture<Message.Ack> a : acks) {
                get(a);
            }
            get(client.stop());
        }
        assertTrue(gateway.maxUnackedBytes.get() <= 1 << 20, "max unacked " + gateway.maxUnackedBytes.get());
        assertArrayEquals(join(data), gateway.rec("rec-window").joined());
    }

    @Test
    void resendsAfterRetryableNack() throws Exception {
        gateway.nackOnce.add(3L);
        gateway.nackOnce.add(7L);
        List<byte[]> data = chunks(10, 500);
        try (IngestClient client = new IngestClient(options())) {
            get(client.start("rec-nack", "video/webm", Mode.STREAM, null));
            data.forEach(client::sendNext);
            assertEquals(10, get(client.stop()).chunks());
        }
        assertEquals(2, gateway.receivedPerSeq.get(3L).get());
        assertEquals(1, gateway.receivedPerSeq.get(4L).get());
        assertEquals(2, gateway.receivedPerSeq.get(7L).get());
        assertArrayEquals(join(data), gateway.rec("rec-nack").joined());
    }

    @Test
    void givesUpAfterTooManyNacks() throws Exception {
        ClientOptions opts = options().withResend(2, Duration.ofMillis(10), Duration.ofMillis(10));
        try (IngestClient client = new IngestClient(opts)) {
            get(client.start("rec-nacks", "video/webm", Mode.STREAM, null));
            gateway.nackAlways.add(0L);
            ClientException e = failure(client.send(0, new byte[10]));
            assertEquals("STORAGE_UNAVAILABLE", e.code());
            assertTrue(client.failure().isPresent());
            assertThrows(ClientException.class, () -> client.send(1, new byte[10]));
        }
    }

    @Test
    void resendsFromExpectedAfterSeqGap() throws Exception {
        gateway.dropOnce.add(5L);
        List<byte[]> data = chunks(30, 300);
        try (IngestClient client = new IngestClient(options())) {
            get(client.start("rec-gap", "video/webm", Mode.STREAM, null));
            List<CompletableFuture<Message.Ack>> acks = new ArrayList<>();
            data.forEach(d -> acks.add(client.sendNext(d)));
            for (CompletableFuture<Message.Ack> a : acks) {
                get(a);
            }
            get(client.stop());
        }
        assertArrayEquals(join(data), gateway.rec("rec-gap").joined());
        // Every chunk after the gap draws one SEQ_GAP; the client must not resend the tail once per error.
        int frames = gateway.chunkFrames.get();
        assertTrue(frames <= 30 + 25 + 5, "sent " + frames + " frames for 30 chunks");
    }

    @Test
    void resendsWhatStopReportsMissing() throws Exception {
        gateway.loseOnce.add(2L);
        List<byte[]> data = chunks(6, 400);
        try (IngestClient client = new IngestClient(options())) {
            get(client.start("rec-incomplete", "video/webm", Mode.STREAM, null));
            data.forEach(client::sendNext);
            assertEquals(6, get(client.stop(seq -> data.get((int) seq))).chunks());
        }
        assertArrayEquals(join(data), gateway.rec("rec-incomplete").joined());
    }

    @Test
    void stopFailsWithIncompleteWhenTheChunkIsGone() throws Exception {
        gateway.loseOnce.add(1L);
        try (IngestClient client = new IngestClient(options())) {
            get(client.start("rec-incomplete2", "video/webm", Mode.STREAM, null));
            for (int i = 0; i < 3; i++) {
                get(client.sendNext(new byte[]{1, 2, 3}));
            }
            ClientException e = failure(client.stop());
            assertEquals(ClientException.CANNOT_RESEND, e.code());
            assertEquals(List.of(1L), e.missing());
        }
    }

    @Test
    void resumesAfterGoingAway() throws Exception {
        gateway.closeAtChunk = 7;
        gateway.closeCode = CloseCodes.GOING_AWAY;
        assertResumes("rec-drain");
    }

    @Test
    void resumesAfterBrokenConnection() throws Exception {
        gateway.closeAtChunk = 12;
        gateway.closeCode = CloseStatus.ABNORMAL;
        assertResumes("rec-broken");
    }

    private void assertResumes(String id) throws Exception {
        List<byte[]> data = chunks(25, 2000);
        List<Integer> reconnects = new CopyOnWriteArrayList<>();
        ClientListener listener = new ClientListener() {
            @Override
            public void onReconnecting(int attempt, CloseStatus cause) {
                reconnects.add(cause.code());
            }
        };
        try (IngestClient client = new IngestClient(options(), listener)) {
            get(client.start(id, "video/webm", Mode.STREAM, null));
            List<CompletableFuture<Message.Ack>> acks = new ArrayList<>();
            data.forEach(d -> acks.add(client.sendNext(d)));
            for (CompletableFuture<Message.Ack> a : acks) {
                get(a);
            }
            assertEquals(25, get(client.stop()).chunks());
        }
        assertEquals(List.of(gateway.closeCode), reconnects);
        assertEquals(2, gateway.connections.get());
        assertTrue(gateway.texts.stream().filter(t -> t.contains("\"start\"")).count() == 2);
        assertArrayEquals(join(data), gateway.rec(id).joined());
    }

    @Test
    void aStartAnsweredStorageUnavailableIsSentAgainFirstAndOnResume() throws Exception {
        gateway.unavailableStarts.set(2);
        List<byte[]> data = chunks(10, 1000);
        try (IngestClient client = new IngestClient(options())) {
            assertEquals("rec-start-again", get(client.start("rec-start-again", "video/webm", Mode.STREAM, null))
                    .recordingId());
            gateway.closeAtChunk = 4;
            gateway.closeCode = CloseCodes.GOING_AWAY;
            gateway.unavailableStarts.set(1);
            List<CompletableFuture<Message.Ack>> acks = new ArrayList<>();
            data.forEach(d -> acks.add(client.sendNext(d)));
            for (CompletableFuture<Message.Ack> a : acks) {
                get(a);
            }
            assertEquals(10, get(client.stop()).chunks());
        }
        assertArrayEquals(join(data), gateway.rec("rec-start-again").joined());
        assertEquals(5, gateway.texts.stream().filter(t -> t.contains("\"start\"")).count(),
                "2 refused + 1 first start, 1 refused + 1 resumed start");
    }

    @Test
    void closeWithoutResumeFailsEverythingWithTheCloseCode() throws Exception {
        gateway.closeAtChunk = 2;
        gateway.closeCode = CloseCodes.GOING_AWAY;
        try (IngestClient client = new IngestClient(options().withReconnectAttempts(0))) {
            get(client.start("rec-noresume", "video/webm", Mode.STREAM, null));
            CompletableFuture<Message.Ack> first = client.sendNext(new byte[]{1});
            CompletableFuture<Message.Ack> second = client.sendNext(new byte[]{2});
            get(first);
            ClientException e = failure(second);
            assertEquals(ClientException.CLOSED, e.code());
            assertEquals(CloseCodes.GOING_AWAY, e.closeCode());
            assertEquals("fault injected", e.closeReason());
            assertEquals(CloseCodes.GOING_AWAY, get(client.closed()).code());
        }
    }

    @Test
    void notOpenCarriesStateAndCloseCode() throws Exception {
        try (IngestClient client = new IngestClient(options())) {
            get(client.start("rec-done", "video/webm", Mode.STREAM, null));
            get(client.sendNext(new byte[]{1}));
            get(client.stop());
        }
        try (IngestClient client = new IngestClient(options())) {
            ClientException e = failure(client.start("rec-done", "video/webm", Mode.STREAM, null));
            assertEquals("NOT_OPEN", e.code());
            assertEquals("STOPPED", e.error().state());
            assertEquals(CloseCodes.NOT_OPEN, e.closeCode());
        }
    }

    @Test
    void gatewayChoosesTheIdAndAutoModeMapsAcksByIndex() throws Exception {
        List<byte[]> data = chunks(8, 100);
        String id;
        try (IngestClient client = new IngestClient(options())) {
            id = get(client.start(null, "video/webm", Mode.STREAM, null)).recordingId();
            assertEquals(id, client.recordingId());
            List<CompletableFuture<Message.Ack>> acks = new ArrayList<>();
            data.forEach(d -> acks.add(client.sendAuto(d)));
            for (int i = 0; i < acks.size(); i++) {
                Message.Ack a = get(acks.get(i));
                assertEquals(-1, a.seq());
                assertEquals(i, a.index());
            }
            assertThrows(IllegalStateException.class, () -> client.send(9, new byte[1]));
            get(client.stop());
        }
        assertTrue(gateway.texts.get(gateway.texts.size() - 1).equals("{\"type\":\"stop\"}"));
        assertArrayEquals(join(data), gateway.rec(id).joined());
    }

    @Test
    void abortDropsPendingChunks() throws Exception {
        gateway.holdAcks = true;
        try (IngestClient client = new IngestClient(options())) {
            get(client.start("rec-abort", "video/webm", Mode.STREAM, null));
            CompletableFuture<Message.Ack> pending = client.sendNext(new byte[]{1, 2});
            assertEquals("rec-abort", get(client.abort()).recordingId());
            assertEquals(ClientException.ABORTED, failure(pending).code());
            assertEquals(CloseCodes.NORMAL, get(client.closed()).code());
        }
        assertEquals("ABORTED", gateway.rec("rec-abort").state);
    }

    @Test
    void connectFailureIsAClientException() throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        ClientOptions opts = ClientOptions.defaults(java.net.URI.create("ws://127.0.0.1:" + port + "/v1/ingest"), null);
        try (IngestClient client = new IngestClient(opts)) {
            ClientException e = failure(client.start("x", "video/webm", Mode.STREAM, null));
            assertEquals(ClientException.CONNECT_FAILED, e.code());
            assertFalse(client.closed().isCompletedExceptionally());
        }
    }

    @Test
    void upgradeRefusalCarriesTheHttpStatus() throws Exception {
        com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", ex -> {
            ex.sendResponseHeaders(401, -1);
            ex.close();
        });
        http.start();
        try (IngestClient client = new IngestClient(ClientOptions.defaults(java.net.URI.create(
                "ws://127.0.0.1:" + http.getAddress().getPort() + "/v1/ingest"), "bad"))) {
            ClientException e = failure(client.start("x", "video/webm", Mode.STREAM, null));
            assertEquals(ClientException.CONNECT_FAILED, e.code());
            assertEquals(401, e.httpStatus());
        } finally {
            http.stop(0);
        }
    }

    @Test
    void gatewayErrorCarriesCodeMessageAndClose() throws Exception {
        try (IngestClient client = new IngestClient(options())) {
            ClientException e = failure(client.start("rec-bad", "invalid", Mode.STREAM, null));
            assertEquals("BAD_REQUEST", e.code());
            assertEquals("contentType is invalid", e.error().message());
            assertEquals(CloseCodes.PROTOCOL_VIOLATION, e.closeCode());
            assertEquals("protocol violation", e.closeReason());
            assertEquals(CloseCodes.PROTOCOL_VIOLATION, get(client.closed()).code());
            assertEquals(CloseCodes.PROTOCOL_VIOLATION, client.lastClose().orElseThrow().code());
        }
    }

    @Test
    void silentGatewayTimesOut() throws Exception {
        gateway.holdAcks = true;
        ClientOptions opts = options().withReconnectAttempts(0).withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(2));
        try (IngestClient client = new IngestClient(opts)) {
            get(client.start("rec-silent", "video/webm", Mode.STREAM, null));
            long t0 = System.nanoTime();
            ClientException e = failure(client.sendNext(new byte[]{1}));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(ClientException.TIMEOUT, e.code());
            assertTrue(ms >= 1000 && ms < 5000, "timed out after " + ms + " ms");
            get(client.closed());
        }
    }

    @Test
    void silentGatewayIsLeftForAnotherConnection() throws Exception {
        gateway.holdAcks = true;
        ClientOptions opts = options().withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(2));
        try (IngestClient client = new IngestClient(opts)) {
            get(client.start("rec-silent2", "video/webm", Mode.STREAM, null));
            CompletableFuture<Message.Ack> ack = client.sendNext(new byte[]{1});
            Thread.sleep(500);
            gateway.holdAcks = false;
            assertEquals(0, get(ack).index());
            assertEquals(2, gateway.connections.get());
            get(client.stop());
        }
    }

    @Test
    void lostStoppedAnswerIsRecognisedOnResume() throws Exception {
        gateway.dropStoppedReply = true;
        try (IngestClient client = new IngestClient(options())) {
            get(client.start("rec-lost-stop", "video/webm", Mode.STREAM, null));
            get(client.sendNext(new byte[]{1, 2, 3}));
            Message.Stopped stopped = get(client.stop());
            assertEquals("rec-lost-stop", stopped.recordingId());
            assertEquals(1, stopped.chunks());
            assertEquals(CloseCodes.NOT_OPEN, get(client.closed()).code());
        }
        assertEquals(2, gateway.connections.get());
    }
}
