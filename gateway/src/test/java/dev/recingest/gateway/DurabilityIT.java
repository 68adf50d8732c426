package dev.recingest.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.config.Retention;
import dev.recingest.durable.EndLedger;
import dev.recingest.durable.Endings;
import dev.recingest.durable.StorageReconciler;
import dev.recingest.events.EventPublisher;
import dev.recingest.events.Outbox;
import dev.recingest.protocol.CloseCodes;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingKeys;
import dev.recingest.state.RecordingState;
import dev.recingest.storage.ChunkStore;
import dev.recingest.storage.StoredObjects;
import io.lettuce.core.Range;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 against an in-process gateway with a real Redis (restarted from an older append-only file where
 * Redis must lose writes) and a real S3 server: the owner check of {@code abort}, the tombstone and webhook
 * of an abort and a delete, the limit of open recordings per token subject, no merge job for a recording
 * without a chunk, and a repair whose listing starts where Redis's record of stored chunks ends.
 */
class DurabilityIT {

    private static final int LIMIT = 3;

    @TempDir
    static Path dir;
    static GatewayHarness h;

    @BeforeAll
    static void up() {
        h = new GatewayHarness(dir, Map.of("RECINGEST_MAX_OPEN_PER_SUBJECT", Integer.toString(LIMIT),
                "RECINGEST_JANITOR_INTERVAL", "0"));
    }

    @AfterAll
    static void down() {
        h.close();
    }

    /**
     * Item 2: a connection whose recording its client resumed elsewhere is stale; its {@code abort} is a write
     * like any other and gets NOT_OPEN and 4409, and the recording, its chunks and its new owner carry on.
     */
    @Test
    void aStaleConnectionCannotAbortTheRecordingItsClientResumed() {
        String id = "dur-stale-abort";
        try (TestSocket stale = h.open(id); TestSocket owner = h.open(id)) {
            IngestProtocolIT.start(stale, id, 0L);
            for (long seq = 0; seq < 3; seq++) {
                stale.sendChunk(seq, IngestProtocolIT.payload(id, seq, 500));
                stale.next("ack");
            }
            IngestProtocolIT.start(owner, id, 3L); // the client resumed on this connection
            stale.sendText("{\"type\":\"abort\"}");
            JsonNode error = stale.next("error");
            assertEquals("NOT_OPEN", error.get("code").asText(), error.toString());
            assertEquals(CloseCodes.NOT_OPEN, stale.awaitClose().code());

            assertEquals(RecordingState.RECORDING, h.store.get(RecordingId.of(id)).join().orElseThrow().state());
            assertEquals(3, h.s3.listChunks(RecordingId.of(id)).join().size(), "no chunk deleted");
            owner.sendChunk(3, IngestProtocolIT.payload(id, 3, 500));
            owner.next("ack");
            owner.sendText("{\"type\":\"stop\",\"lastSeq\":3}");
            assertEquals(4, owner.next("stopped").get("chunks").asLong());
        }
    }

    /** Item 11: an abort leaves a tombstone in storage and is announced as recording.aborted. */
    @Test
    void anAbortLeavesATombstoneAndIsAnnounced() {
        String id = "dur-abort";
        try (TestSocket s = h.open(id)) {
            IngestProtocolIT.start(s, id, 0L);
            s.sendChunk(0, IngestProtocolIT.payload(id, 0, 500));
            s.next("ack");
            s.sendText("{\"type\":\"abort\"}");
            assertEquals(id, s.next("aborted").get("recordingId").asText());
        }
        RecordingId rid = RecordingId.of(id);
        assertTrue(h.s3.listChunks(rid).join().isEmpty());
        assertEquals("ABORTED", json(h.s3.getBytes(h.s3.keys().tombstone(rid)).join()).get("state").asText());
        assertEquals("ABORTED", announced(id, "recording.aborted").get("recording").get("state").asText());
    }

    /**
     * Item 11: a delete through the admin API is announced as recording.deleted and leaves a tombstone, so the id
     * is never opened again: a recorder that starts it is told NOT_OPEN.
     */
    @Test
    void aDeleteIsAnnouncedAndTheIdStaysEnded() throws Exception {
        String id = "dur-delete";
        try (TestSocket s = h.open(id)) {
            IngestProtocolIT.start(s, id, 0L);
            s.sendChunk(0, IngestProtocolIT.payload(id, 0, 500));
            s.next("ack");
            s.sendText("{\"type\":\"stop\",\"lastSeq\":0}");
            s.next("stopped");
        }
        HttpResponse<String> deleted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                h.httpUri("/v1/recordings/" + id)).header("Authorization", "Bearer " + GatewayHarness.ADMIN)
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, deleted.statusCode(), deleted.body());
        JsonNode event = announced(id, "recording.deleted");
        assertEquals("DELETED", event.get("recording").get("state").asText());
        assertTrue(event.get("recording").has("deletedAt"));
        RecordingId rid = RecordingId.of(id);
        assertEquals("DELETED", json(h.s3.getBytes(h.s3.keys().tombstone(rid)).join()).get("state").asText());
        try (TestSocket again = h.open(id)) {
            again.sendText("{\"type\":\"start\",\"recordingId\":\"" + id + "\",\"contentType\":\"video/webm\"}");
            assertEquals("NOT_OPEN", again.next("error").get("code").asText());
            assertEquals(CloseCodes.NOT_OPEN, again.awaitClose().code());
        }
    }

    /**
     * Item 9: a token subject may have {@value #LIMIT} recordings open; one more is RATE_LIMITED with 4429, while
     * another subject, a resume of an open one, and a new one after a stop are not.
     */
    @Test
    void openRecordingsPerTokenSubjectAreLimited() {
        String subject = "dur-subject-a";
        TestSocket[] open = new TestSocket[LIMIT];
        try {
            for (int i = 0; i < LIMIT; i++) {
                String id = "dur-limit-" + i;
                open[i] = TestSocket.open(h.ingestUri(), h.tokens.issueForRecording(subject, id, Duration.ofMinutes(5)));
                IngestProtocolIT.start(open[i], id, 0L);
            }
            String extra = "dur-limit-extra";
            try (TestSocket over = TestSocket.open(h.ingestUri(), h.tokens.issueForRecording(subject, extra,
                    Duration.ofMinutes(5)))) {
                over.sendText("{\"type\":\"start\",\"recordingId\":\"" + extra + "\",\"contentType\":\"video/webm\"}");
                assertEquals("RATE_LIMITED", over.next("error").get("code").asText());
                assertEquals(CloseCodes.RATE_LIMITED, over.awaitClose().code());
            }
            assertTrue(h.store.get(RecordingId.of(extra)).join().isEmpty(), "no record for the refused start");
            try (TestSocket other = TestSocket.open(h.ingestUri(), h.tokens.issueForRecording("dur-subject-b", extra,
                    Duration.ofMinutes(5)))) {
                IngestProtocolIT.start(other, extra, 0L);
            }
            try (TestSocket resume = TestSocket.open(h.ingestUri(), h.tokens.issueForRecording(subject, "dur-limit-0",
                    Duration.ofMinutes(5)))) {
                IngestProtocolIT.start(resume, "dur-limit-0", 0L);
                resume.sendChunk(0, IngestProtocolIT.payload("dur-limit-0", 0, 100));
                resume.next("ack");
                resume.sendText("{\"type\":\"stop\"}");
                resume.next("stopped");
            }
            String next = "dur-limit-next";
            try (TestSocket s = TestSocket.open(h.ingestUri(), h.tokens.issueForRecording(subject, next,
                    Duration.ofMinutes(5)))) {
                IngestProtocolIT.start(s, next, 0L);
            }
        } finally {
            for (TestSocket s : open) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }

    /** Item 9: a recording stopped with no chunk is FAILED (EMPTY) at once; no merge job is queued for it. */
    @Test
    void aRecordingWithNoChunkGetsNoMergeJob() {
        String id = "dur-empty";
        try (TestSocket s = h.open(id)) {
            IngestProtocolIT.start(s, id, 0L);
            s.sendText("{\"type\":\"stop\"}");
            assertEquals(0, s.next("stopped").get("chunks").asLong());
        }
        Map<String, String> meta = h.store.fields(RecordingId.of(id)).join();
        assertEquals("FAILED", meta.get("state"));
        assertEquals("EMPTY", meta.get("errorCode"));
        assertFalse(h.connection.sync().xrange(RecordingKeys.MERGE_JOBS, Range.create("-", "+")).stream()
                .anyMatch(m -> id.equals(m.getBody().get("recordingId"))), "no merge job");
        assertEquals("EMPTY", announced(id, "recording.failed").get("recording").get("error").get("code").asText());
    }

    /**
     * Item 6 (second half) and bullet 3: Redis comes back from a copy taken 10 chunks before the end of 200;
     * the repair records the 10 it lost and lists only the chunks from where its record ends, not all 200.
     */
    @Test
    void aRepairListsOnlyTheChunksAboveWhatRedisKept() {
        String id = "dur-repair-cost";
        RecordingId rid = RecordingId.of(id);
        Path snapshot = dir.resolve(id + ".aof");
        try (TestSocket s = h.open(id)) {
            IngestProtocolIT.start(s, id, 0L);
            for (long seq = 0; seq < 200; seq++) {
                if (seq == 190) {
                    h.redis.snapshot(snapshot);
                }
                s.sendChunk(seq, IngestProtocolIT.payload(id, seq, 64));
                s.next("ack");
            }
        }
        h.redis.restartFrom(snapshot);
        assertEquals(190, awaitRedis(() -> h.store.storedChunks(rid).join().size()), "Redis lost ten chunks");

        AtomicLong listed = new AtomicLong();
        Set<String> listedOn = ConcurrentHashMap.newKeySet();
        ChunkStore counting = counting(listed, listedOn);
        Endings endings = new Endings(h.store, counting, new EndLedger(h.s3), EventPublisher.none(),
                Retention.DEFAULT_REDIS_KEYS, Clock.systemUTC());
        ExecutorService requests = Executors.newSingleThreadExecutor(r -> new Thread(r, "repair-requests"));
        try {
            var reconciled = new StorageReconciler(h.store.repairs(), counting, endings, requests).reconcile(rid, 0)
                    .join();
            assertEquals(200, reconciled.nextSeq());
        } finally {
            requests.shutdown();
        }
        assertEquals(200, h.store.storedChunks(rid).join().size(), "every stored chunk is recorded again");
        assertEquals(200 * 64, h.store.get(rid).join().orElseThrow().bytes());
        assertEquals(10, listed.get(), "listed only the chunks above Redis's record");
        // Not on the Redis client's thread, which decodes every reply of the process (the gateway passes its
        // event loops).
        assertEquals(Set.of("repair-requests"), listedOn, "the LIST request is made on the executor given");
    }

    /** {@code listFrom} on the S3 server: the chunks at or above the index, and the manifest and tombstone. */
    @Test
    void aListingFromAnIndexSeesOnlyTheChunksFromThereAndTheEndObjects() {
        RecordingId rid = RecordingId.of("dur-list-from");
        for (long i = 0; i < 12; i++) {
            h.s3.putChunk(rid, i, Unpooled.wrappedBuffer(new byte[(int) i + 1])).join();
        }
        StoredObjects all = h.s3.listFrom(rid, 0).join();
        assertEquals(12, all.chunks().size());
        assertFalse(all.ended());
        h.s3.putBytes(h.s3.keys().manifest(rid), "{\"state\":\"STOPPED\"}".getBytes(), "application/json").join();
        StoredObjects tail = h.s3.listFrom(rid, 10).join();
        assertEquals(List.of(10L, 11L), List.copyOf(tail.chunks().keySet()));
        assertEquals(11L, tail.chunks().get(10L));
        assertTrue(tail.manifest() && !tail.tombstone());
        // An id that is a prefix of another lists nothing of the other's.
        assertTrue(h.s3.listFrom(RecordingId.of("dur-list-fro"), 0).join().chunks().isEmpty());
    }

    /** The S3 store, counting the chunk objects each listing returns and naming the threads that list. */
    private static ChunkStore counting(AtomicLong listed, Set<String> listedOn) {
        return new ChunkStore() {
            @Override
            public CompletableFuture<StoredObjects> listFrom(RecordingId id, long from) {
                listedOn.add(Thread.currentThread().getName());
                return h.s3.listFrom(id, from).thenApply(o -> {
                    listed.addAndGet(o.chunks().size());
                    return o;
                });
            }

            @Override
            public CompletableFuture<SortedMap<Long, Long>> listChunks(RecordingId id) {
                listedOn.add(Thread.currentThread().getName());
                return h.s3.listChunks(id).thenApply(m -> {
                    listed.addAndGet(m.size());
                    return m;
                });
            }

            @Override
            public CompletableFuture<Void> putChunk(RecordingId id, long index, ByteBuf payload) {
                return h.s3.putChunk(id, index, payload);
            }

            @Override
            public CompletableFuture<byte[]> getChunk(RecordingId id, long index) {
                return h.s3.getChunk(id, index);
            }

            @Override
            public CompletableFuture<Void> deleteChunks(RecordingId id) {
                return h.s3.deleteChunks(id);
            }

            @Override
            public CompletableFuture<Void> ping() {
                return h.s3.ping();
            }
        };
    }

    /** The outbox event of {@code type} about the recording (fails if there is none). */
    private static JsonNode announced(String id, String type) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (var m : h.connection.sync().xrange(Outbox.STREAM, Range.create("-", "+"))) {
                JsonNode e = json(m.getBody().get(Outbox.FIELD_BODY).getBytes());
                if (type.equals(e.get("type").asText()) && id.equals(e.get("recording").get("recordingId").asText())) {
                    return e;
                }
            }
            sleep(50);
        }
        throw new AssertionError("no " + type + " event about " + id + " in the outbox");
    }

    /** Retries a read while the client reconnects to the restarted Redis. */
    private static <T> T awaitRedis(java.util.function.Supplier<T> read) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                return read.get();
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                sleep(100);
            }
        }
    }

    private static JsonNode json(byte[] bytes) {
        try {
            return dev.recingest.protocol.Json.MAPPER.readTree(bytes);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
