package dev.recingest.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.config.Retention;
import dev.recingest.durable.EndLedger;
import dev.recingest.durable.Endings;
import dev.recingest.durable.Reconciled;
import dev.recingest.durable.StorageReconciler;
import dev.recingest.events.EventPublisher;
import dev.recingest.observability.Laps;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.MetaFields;
import dev.recingest.storage.ChunkStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A resume lists storage only when Redis cannot prove it lost nothing since the recording was last found to agree
 * with storage ({@code Reconciler#reconcileToOpen}, {@code MetaFields.AGREED_ON}): with a real Redis restarted from
 * an older append-only file and a real S3 server, against an in-process gateway.
 */
class ResumeProofIT {

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

    /**
     * The skip would be wrong here: the recording agreed with storage (its resume skipped the listing), Redis's
     * copy was taken then, ten more chunks were acked, and Redis came back from that copy, agreement mark and all.
     * The resume must list, find the ten, and answer nextSeq 20; a stop then takes all 20.
     */
    @Test
    void aResumeListsWhenRedisCameBackFromACopyTakenAfterTheLastAgreement() throws InterruptedException {
        String id = "proof-rollback";
        RecordingId rid = RecordingId.of(id);
        Path snapshot = dir.resolve(id + ".aof");
        try (TestSocket s = h.open(id)) {
            IngestProtocolIT.start(s, id, 0L);
            sendAcked(s, id, 0, 10);
        }
        try (TestSocket s = h.open(id)) {
            IngestProtocolIT.start(s, id, 10L); // proven: no listing
        }
        assertFalse(h.store.fields(rid).join().getOrDefault(MetaFields.AGREED_ON, "").isEmpty(), "agreement recorded");
        h.redis.snapshot(snapshot);
        try (TestSocket s = h.open(id)) {
            IngestProtocolIT.start(s, id, 10L);
            sendAcked(s, id, 10, 20);
        }
        h.redis.restartFrom(snapshot);
        assertEquals(10, awaitRedis(() -> h.store.storedChunks(rid).join().size()), "Redis lost ten acked chunks");
        assertFalse(h.store.fields(rid).join().getOrDefault(MetaFields.AGREED_ON, "").isEmpty(),
                "the copy holds the agreement mark");
        try (TestSocket s = h.open(id)) {
            IngestProtocolIT.start(s, id, 20L);
            s.sendText("{\"type\":\"stop\",\"lastSeq\":19}");
            JsonNode stopped = s.next("stopped");
            assertEquals(20, stopped.get("chunks").asLong());
        }
    }

    /**
     * Nothing lost: a resume lists nothing; once storage is about to get an object Redis records only after it
     * (a part boundary's mark), the next one lists again, and records the agreement again.
     */
    @Test
    void aResumeWithNothingLostListsNothingUntilStorageGoesAhead() {
        String id = "proof-skip";
        RecordingId rid = RecordingId.of(id);
        try (TestSocket s = h.open(id)) {
            IngestProtocolIT.start(s, id, 0L);
            sendAcked(s, id, 0, 5);
        }
        AtomicInteger listings = new AtomicInteger();
        Endings endings = new Endings(h.store, counting(listings), new EndLedger(h.s3), EventPublisher.none(),
                Retention.DEFAULT_REDIS_KEYS, Clock.systemUTC());
        StorageReconciler reconciler = new StorageReconciler(h.store.repairs(), counting(listings), endings);

        Reconciled proven = reconciler.reconcileToOpen(rid, Laps.OFF).join();
        assertEquals(0, listings.get(), "no listing while Redis proves it lost nothing");
        assertEquals(5, proven.nextSeq());

        reconciler.storageGoesAhead(rid).join();
        Reconciled listed = reconciler.reconcileToOpen(rid, Laps.OFF).join();
        assertEquals(1, listings.get(), "a listing once storage may hold what Redis lacks");
        assertEquals(5, listed.nextSeq());
        assertEquals(proven.proof(), listed.proof());

        // Another reconcile (a stop's, a recovery's) always lists.
        reconciler.reconcile(rid, 0).join();
        assertEquals(2, listings.get());

        // The gateway's next start records the agreement again; the resume after it lists nothing.
        try (TestSocket s = h.open(id)) {
            IngestProtocolIT.start(s, id, 5L);
        }
        reconciler.reconcileToOpen(rid, Laps.OFF).join();
        assertEquals(2, listings.get());
    }

    private static void sendAcked(TestSocket s, String id, long from, long to) {
        for (long seq = from; seq < to; seq++) {
            s.sendChunk(seq, IngestProtocolIT.payload(id, seq, 64));
            assertEquals(seq, s.next("ack").get("seq").asLong());
        }
    }

    /** The S3 server's chunk store, counting its listings. */
    private static ChunkStore counting(AtomicInteger listings) {
        return (ChunkStore) java.lang.reflect.Proxy.newProxyInstance(ChunkStore.class.getClassLoader(),
                new Class<?>[] {ChunkStore.class}, (proxy, method, args) -> {
                    if (method.getName().startsWith("list")) {
                        listings.incrementAndGet();
                    }
                    return method.invoke(h.s3, args);
                });
    }

    /** Retries a read while the client reconnects to the restarted Redis. */
    private static long awaitRedis(java.util.function.LongSupplier read) throws InterruptedException {
        long[] value = {-1};
        dev.recingest.testkit.Waits.until(() -> {
            try {
                value[0] = read.getAsLong();
                return true;
            } catch (RuntimeException e) {
                return false;
            }
        }, Duration.ofSeconds(30), "Redis back");
        return value[0];
    }
}
