package dev.recingest.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.gateway.janitor.Janitor;
import dev.recingest.gateway.janitor.JanitorConfig;
import dev.recingest.config.Settings;
import dev.recingest.events.Outbox;
import dev.recingest.durable.EndLedger;
import dev.recingest.durable.Endings;
import dev.recingest.durable.StorageReconciler;
import dev.recingest.events.OutboxPublisher;
import dev.recingest.observability.Metrics;
import dev.recingest.protocol.CloseCodes;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.JanitorLock;
import dev.recingest.state.Outcomes.AssignKind;
import dev.recingest.state.Outcomes.StartKind;
import dev.recingest.state.Outcomes.StopKind;
import dev.recingest.state.RecordingKeys;
import dev.recingest.state.RecordingState;
import dev.recingest.state.RecordingStore;
import dev.recingest.state.SeqMode;
import io.lettuce.core.Range;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The janitor against a real Redis, S3 and gateway, driven pass by pass with a clock the test moves, so
 * that "30 s without a chunk" and "5 min idle" take no time. The gateway's own janitor is off here.
 */
class JanitorIT {

    private static final Duration STALL = Duration.ofSeconds(30);
    private static final Duration IDLE = Duration.ofMinutes(5);
    private static final AtomicInteger IDS = new AtomicInteger();

    @TempDir
    static Path dir;
    static GatewayHarness h;

    @BeforeAll
    static void up() {
        h = new GatewayHarness(dir, Map.of("RECINGEST_JANITOR_INTERVAL", "0"));
    }

    @AfterAll
    static void down() {
        h.close();
    }

    /** A clock at the real time plus an offset the test sets. */
    private static class MovedClock extends Clock {
        volatile Duration ahead = Duration.ZERO;

        @Override
        public Instant instant() {
            return Instant.now().plus(ahead);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    private static Janitor janitor(MovedClock clock) {
        return janitor(new JanitorConfig(STALL, IDLE, Duration.ofSeconds(5)), clock);
    }

    /** A janitor wired as a gateway wires it, announcing to the outbox. */
    private static Janitor janitor(JanitorConfig config, Clock clock) {
        OutboxPublisher events = OutboxPublisher.create(Settings.of(Map.of()), h.connection.async(), h.store);
        Endings endings = new Endings(h.store, h.s3, new EndLedger(h.s3), events,
                dev.recingest.config.Retention.DEFAULT_REDIS_KEYS, clock);
        return new Janitor(config, h.store, new StorageReconciler(h.store.repairs(), h.s3, endings), endings, events,
                clock, Metrics.newRegistry());
    }

    /** Whether the webhook outbox holds an event of {@code type} about the recording. */
    private static boolean announced(String id, String type) {
        return h.connection.sync().xrange(Outbox.STREAM, io.lettuce.core.Range.create("-", "+")).stream()
                .anyMatch(m -> m.getBody().values().stream().anyMatch(v -> v.contains("\"" + type + "\""))
                        && m.getBody().values().stream().anyMatch(v -> v.contains("\"" + id + "\"")));
    }

    /** One pass; the lock is free (every test closes its janitor, which releases it). */
    private static void pass(Janitor janitor) throws Exception {
        assertTrue(janitor.runOnce() >= 0, "the janitor got the lock");
    }

    private static RecordingState state(String id) {
        return h.store.get(RecordingId.of(id)).join().orElseThrow().state();
    }

    private static Map<String, String> fields(String id) {
        return h.store.fields(RecordingId.of(id)).join();
    }

    private static long mergeJobs(String id) {
        return h.connection.sync().xrange(RecordingKeys.MERGE_JOBS, Range.create("-", "+")).stream()
                .filter(m -> id.equals(m.getBody().get("recordingId"))).count();
    }

    private static boolean indexed(String id) {
        return h.connection.sync().zscore(RecordingKeys.OPEN_INDEX, id) != null;
    }

    @Test
    void noChunkForTheStallTimeoutStallsAndAnyChunkReturnsItToRecording() throws Exception {
        String id = "jan-stall-" + IDS.incrementAndGet();
        MovedClock clock = new MovedClock();
        try (Janitor janitor = janitor(clock); TestSocket s = h.open(id)) {
            IngestProtocolIT.start(s, id, 0L);
            s.sendChunk(0, new byte[] {1});
            s.next("ack");
            clock.ahead = STALL.minusSeconds(2);
            pass(janitor);
            assertEquals(RecordingState.RECORDING, state(id), "not yet");
            clock.ahead = STALL.plusSeconds(1);
            pass(janitor);
            assertEquals(RecordingState.STALLED, state(id));
            assertNotNull(fields(id).get("stalledAt"));
            assertTrue(announced(id, "recording.stalled"), "a recording.stalled webhook event is in the outbox");

            s.sendChunk(1, new byte[] {2});
            assertEquals(1, s.next("ack").get("index").asLong(), "a stalled recording takes chunks");
            assertEquals(RecordingState.RECORDING, state(id), "and a chunk returns it to RECORDING");

            // It stalls again a stall timeout after that chunk; the janitor looks again within one.
            clock.ahead = STALL.multipliedBy(2).plusSeconds(2);
            pass(janitor);
            assertEquals(RecordingState.STALLED, state(id));
            assertTrue(indexed(id));
        }
    }

    @Test
    void aResumeIsASignOfLifeEvenWithoutAChunk() throws Exception {
        String id = "jan-resume-" + IDS.incrementAndGet();
        RecordingId rid = RecordingId.of(id);
        MovedClock clock = new MovedClock();
        // The store a gateway would use, on the moved clock, so the resume happens "later".
        RecordingStore store = new RecordingStore(h.connection.async(), clock);
        try (Janitor janitor = janitor(clock)) {
            store.ledger().start(rid, "video/webm", Mode.STREAM, "").join();
            clock.ahead = STALL.plusSeconds(1);
            pass(janitor);
            assertEquals(RecordingState.STALLED, state(id));
            Duration resumedAt = Duration.ofMinutes(4);
            clock.ahead = resumedAt;
            assertEquals(StartKind.RESUMED, store.ledger().start(rid, "video/webm", Mode.STREAM, "").join().kind());
            assertEquals(RecordingState.RECORDING, state(id), "a resume returns it to RECORDING");
            clock.ahead = IDLE.plusSeconds(10);
            pass(janitor);
            assertEquals(RecordingState.STALLED, state(id), "idle is measured from the resume, not the start");
            clock.ahead = resumedAt.plus(IDLE).plusSeconds(1);
            pass(janitor);
            // Auto-stopped with no chunk: no merge job for nothing, FAILED with EMPTY at once (issue 10, item 9).
            assertEquals(RecordingState.FAILED, state(id));
            assertEquals("EMPTY", fields(id).get("errorCode"));
            assertEquals(0, mergeJobs(id));
        }
    }

    @Test
    void anIdleRecordingIsAutoStoppedItsMergeQueuedAndItsConnectionGets4409() throws Exception {
        String id = "jan-idle-" + IDS.incrementAndGet();
        MovedClock clock = new MovedClock();
        try (Janitor janitor = janitor(clock); TestSocket s = h.open(id)) {
            IngestProtocolIT.start(s, id, 0L);
            s.sendChunk(0, new byte[] {1, 2, 3});
            s.sendChunk(1, new byte[] {4});
            s.next("ack");
            s.next("ack");
            clock.ahead = IDLE.plusSeconds(1);
            pass(janitor);
            var rec = h.store.get(RecordingId.of(id)).join().orElseThrow();
            assertEquals(RecordingState.STOPPED, rec.state());
            assertEquals(2, rec.chunks());
            assertEquals(4, rec.bytes());
            assertNotNull(fields(id).get("autoStopped"));
            assertNotNull(fields(id).get(dev.recingest.state.MetaFields.MERGE_QUEUED_AT));
            assertEquals(1, mergeJobs(id));
            assertFalse(indexed(id), "a stopped recording with its merge queued leaves the janitor's index");

            // The connection is still open; its next write learns that the recording is no longer open.
            s.sendChunk(2, new byte[] {5});
            JsonNode err = s.next("error");
            assertEquals("NOT_OPEN", err.get("code").asText());
            assertEquals("STOPPED", err.get("state").asText());
            assertEquals(CloseCodes.NOT_OPEN, s.awaitClose().code());
        }
        assertEquals(2, h.s3.listChunks(RecordingId.of(id)).join().size());
        try (Janitor again = janitor(new MovedClock())) {
            pass(again);
        }
        assertEquals(1, mergeJobs(id), "queued once");
    }

    @Test
    void autoStopWithAnExplicitSeqNeverStoredFailsTheRecordingWithMissingChunks() throws Exception {
        String id = "jan-gap-" + IDS.incrementAndGet();
        RecordingId rid = RecordingId.of(id);
        long epoch = h.store.ledger().start(rid, "video/webm", Mode.STREAM, "").join().epoch();
        for (long seq = 0; seq < 3; seq++) {
            assertEquals(AssignKind.NEW, h.store.ledger().assign(rid, epoch, seq, SeqMode.EXPLICIT).join().kind());
        }
        h.store.ledger().commit(rid, 0, 10).join();
        h.store.ledger().commit(rid, 2, 10).join(); // index 1 was assigned, never stored (a nack the client never resent)
        MovedClock clock = new MovedClock();
        clock.ahead = IDLE.plusSeconds(1);
        try (Janitor janitor = janitor(clock)) {
            pass(janitor);
        }
        var rec = h.store.get(rid).join().orElseThrow();
        assertEquals(RecordingState.FAILED, rec.state());
        assertEquals("MISSING_CHUNKS", rec.errorCode());
        assertTrue(rec.errorMessage().contains("[1]"), rec.errorMessage());
        assertEquals(3, rec.chunks());
        assertEquals(0, mergeJobs(id), "nothing to merge");
        assertFalse(indexed(id));
    }

    @Test
    void autoStopInAtLeastOnceModeVoidsIndicesNeverStoredAndMerges() throws Exception {
        String id = "jan-void-" + IDS.incrementAndGet();
        RecordingId rid = RecordingId.of(id);
        long epoch = h.store.ledger().start(rid, "video/mp2t", Mode.SEGMENTS, "").join().epoch();
        for (int i = 0; i < 3; i++) {
            assertEquals(AssignKind.NEW, h.store.ledger().assign(rid, epoch, -1, SeqMode.AUTO).join().kind());
        }
        h.store.ledger().commit(rid, 0, 10).join();
        h.store.ledger().commit(rid, 2, 10).join();
        MovedClock clock = new MovedClock();
        clock.ahead = IDLE.plusSeconds(1);
        try (Janitor janitor = janitor(clock)) {
            pass(janitor);
        }
        assertEquals(RecordingState.STOPPED, state(id));
        assertEquals(List.of(1L), h.store.voidIndices(rid).join());
        assertEquals(1, mergeJobs(id));
    }

    @Test
    void aStoppedRecordingWhoseMergeWasNeverQueuedIsQueuedOnceAfterTheGrace() throws Exception {
        String id = "jan-lost-" + IDS.incrementAndGet();
        RecordingId rid = RecordingId.of(id);
        long epoch = h.store.ledger().start(rid, "video/webm", Mode.STREAM, "").join().epoch();
        h.store.ledger().assign(rid, epoch, 0, SeqMode.EXPLICIT).join();
        h.store.ledger().commit(rid, 0, 10).join();
        // The gateway stopped it, then died before queueing the merge.
        assertEquals(StopKind.STOPPED, h.store.ledger().stop(rid, epoch, 0L).join().kind());
        MovedClock clock = new MovedClock();
        try (Janitor janitor = janitor(clock)) {
            clock.ahead = Duration.ofSeconds(5);
            pass(janitor);
            assertEquals(0, mergeJobs(id), "within the grace a stop may still be queueing its merge");
            assertTrue(indexed(id));
            clock.ahead = STALL.plusSeconds(1);
            pass(janitor);
            assertEquals(1, mergeJobs(id));
            assertNotNull(fields(id).get(dev.recingest.state.MetaFields.MERGE_QUEUED_AT));
            clock.ahead = STALL.multipliedBy(3);
            pass(janitor);
            assertEquals(1, mergeJobs(id), "queued once");
            assertFalse(indexed(id));
        }
        assertEquals(RecordingState.STOPPED, state(id));
    }

    @Test
    void aRecordingStoppedByItsClientIsLeftAloneAndLeavesTheIndex() throws Exception {
        String id = "jan-done-" + IDS.incrementAndGet();
        try (TestSocket s = h.open(id)) {
            IngestProtocolIT.start(s, id, 0L);
            s.sendChunk(0, new byte[] {1});
            s.next("ack");
            s.sendText("{\"type\":\"stop\"}");
            s.next("stopped");
        }
        MovedClock clock = new MovedClock();
        clock.ahead = IDLE.multipliedBy(2);
        try (Janitor janitor = janitor(clock)) {
            pass(janitor);
        }
        assertEquals(RecordingState.STOPPED, state(id));
        assertNull(fields(id).get("autoStopped"));
        assertEquals(1, mergeJobs(id));
        assertFalse(indexed(id));
    }

    /**
     * A pass longer than the lock's ttl (5 s at a 200 ms interval) keeps the lock: here the pass stalls 8 s
     * reading its clock, and another gateway's janitor tries to take the lock every 250 ms meanwhile. The lock
     * used to be renewed only between passes, so it expired mid-pass and a second janitor swept alongside.
     */
    @Test
    void aPassLongerThanTheLockTtlKeepsTheLock() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean stall = new java.util.concurrent.atomic.AtomicBoolean();
        Clock slow = new MovedClock() {
            @Override
            public Instant instant() {
                if (stall.getAndSet(false)) {
                    try {
                        Thread.sleep(8000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.instant();
            }
        };
        JanitorConfig config = new JanitorConfig(STALL, IDLE, Duration.ofMillis(200));
        assertEquals(Duration.ofSeconds(5), config.lockTtl());
        JanitorLock other = h.store.janitorLock(Duration.ofSeconds(30));
        try (Janitor janitor = janitor(config, slow)) {
            stall.set(true);
            var pass = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return janitor.runOnce();
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            while (h.connection.sync().get(RecordingKeys.JANITOR_LOCK) == null && !pass.isDone()) {
                Thread.sleep(10); // the pass takes the lock first
            }
            int tries = 0;
            while (!pass.isDone()) {
                assertFalse(other.acquire().join(), "another janitor took the lock " + (tries * 250) + " ms into the pass");
                tries++;
                Thread.sleep(250);
            }
            assertTrue(pass.join() >= 0, "the pass ran");
            assertTrue(tries >= 28, "the pass lasted longer than the ttl: " + tries * 250 + " ms");
        } finally {
            other.release().join();
        }
    }

    @Test
    void oneJanitorSweepsAtATimeAndADeadHoldersLockExpires() throws Exception {
        JanitorLock a = h.store.janitorLock(Duration.ofSeconds(30));
        JanitorLock b = h.store.janitorLock(Duration.ofSeconds(30));
        assertTrue(a.acquire().join());
        assertFalse(b.acquire().join(), "held by a");
        assertTrue(a.acquire().join(), "the holder renews");
        assertFalse(b.release().join(), "only the holder releases");
        assertTrue(a.release().join());
        assertTrue(b.acquire().join(), "free after release");
        assertTrue(b.release().join());
        // A holder that dies without releasing: the lock frees itself after its ttl.
        JanitorLock dies = h.store.janitorLock(Duration.ofMillis(300));
        assertTrue(dies.acquire().join());
        long deadline = System.nanoTime() + 20_000_000_000L;
        boolean taken = false;
        while (!taken && System.nanoTime() < deadline) {
            Thread.sleep(50);
            taken = a.acquire().join();
        }
        assertTrue(taken, "a dead holder's lock expired");
        assertTrue(a.release().join());

        try (Janitor first = janitor(new MovedClock()); Janitor second = janitor(new MovedClock())) {
            assertTrue(first.runOnce() >= 0);
            assertEquals(-1, second.runOnce(), "the second janitor does not sweep while the first holds the lock");
            first.close(); // releases the lock
            assertTrue(second.runOnce() >= 0, "and takes over at once after it");
        }
    }
}
