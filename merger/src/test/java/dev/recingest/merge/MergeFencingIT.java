package dev.recingest.merge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.MetaFields;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingState;
import dev.recingest.storage.ObjectKeys;
import dev.recingest.storage.S3Clients;
import dev.recingest.storage.S3Store;
import dev.recingest.testkit.ForwardingOutputStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Issue 10, item 5: a merge attempt that went stale while uploading its MP4 (a pause or partition longer
 * than the lease, so another attempt took the recording over and finished it) must not publish: not over
 * the winner's output, and not into a recording an admin deleted meanwhile. Two real mergers on one
 * recording, a real Redis and S3 server, real FFmpeg; the stale one's upload waits at a gate until the
 * winner is done.
 */
class MergeFencingIT extends OnTestCluster {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aStaleAttemptDoesNotOverwriteTheWinnersOutput() throws Exception {
        RecordingId id = RecordingId.of("stale-overwrite");
        Race race = raceToCompletion(id);
        byte[] winnersMp4 = cluster.storage.getBytes(keys().output(id)).join();
        byte[] winnersManifest = cluster.storage.getBytes(keys().manifest(id)).join();

        race.gate.open();
        race.stale.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        assertArrayEquals(winnersManifest, cluster.storage.getBytes(keys().manifest(id)).join(),
                "manifest.json is still the winner's");
        assertArrayEquals(winnersMp4, cluster.storage.getBytes(keys().output(id)).join(), "recording.mp4 is the winner's");
        Recording rec = cluster.recordings.get(id).join().orElseThrow();
        assertEquals(RecordingState.COMPLETED, rec.state());
        assertEquals(2, rec.mergeAttempts());
        assertEquals(rec.outputSize(), cluster.storage.size(rec.outputKey()).join().orElseThrow());
        assertEquals(List.of(), unfinishedUploads(id), "the stale attempt dropped its upload");
    }

    @Test
    void aStaleAttemptDoesNotRecreateARecordingDeletedMeanwhile() throws Exception {
        RecordingId id = RecordingId.of("stale-after-delete");
        Race race = raceToCompletion(id);
        // What the admin API's DELETE does to a COMPLETED recording: chunks, output, manifest, then the keys.
        cluster.storage.deleteChunks(id).join();
        cluster.storage.delete(keys().output(id)).join();
        cluster.storage.delete(keys().manifest(id)).join();
        cluster.recordings.retention().delete(id).join();

        race.gate.open();
        race.stale.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        assertEquals(Optional.empty(), cluster.storage.size(keys().output(id)).join(), "no recording.mp4 after DELETE");
        assertEquals(Optional.empty(), cluster.storage.size(keys().manifest(id)).join(), "no manifest.json after DELETE");
        assertEquals(Optional.empty(), cluster.recordings.get(id).join(), "no Redis record after DELETE");
        assertEquals(List.of(), unfinishedUploads(id), "the stale attempt dropped its upload");
    }

    /** Multipart uploads begun under the recording's prefix and neither completed nor aborted. */
    private List<String> unfinishedUploads(RecordingId id) {
        try (S3AsyncClient s3 = S3Clients.async(cluster.backend.s3Config)) {
            return s3.listMultipartUploads(b -> b.bucket(cluster.storage.bucket()).prefix(keys().recording(id))).join()
                    .uploads().stream().map(u -> u.key() + " " + u.uploadId()).toList();
        }
    }

    private record Race(Gate gate, CompletableFuture<RecordingMerger.Disposition> stale) {
    }

    /**
     * Attempt 1 merges and stops at the gate of its MP4 upload; nothing renews its lease (as when its worker
     * is paused), so once the lease runs out attempt 2 takes over and completes the recording.
     */
    private Race raceToCompletion(RecordingId id) throws Exception {
        cluster.record(id, "video/mp2t", Mode.SEGMENTS, null, chunks);
        MergerConfig config = cluster.config(dir.resolve("work"), Map.of("RECINGEST_MERGE_VISIBILITY_TIMEOUT", "3s"));
        Gate gate = new Gate();
        RecordingMerger staleMerger = RecordingMerger.create(config, cluster.recordings, cluster.storage,
                new GatedOutputs(cluster.storage, gate), keys(), new SimpleMeterRegistry());
        CompletableFuture<RecordingMerger.Disposition> stale = CompletableFuture.supplyAsync(() -> {
            try {
                return staleMerger.process(id, Lease.unmanaged());
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(gate.reached.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "attempt 1 reached its upload");
        awaitLeaseExpiry(id);

        RecordingMerger winner = RecordingMerger.create(config, cluster.recordings, cluster.storage, cluster.storage,
                keys(), new SimpleMeterRegistry());
        assertEquals(RecordingMerger.Disposition.ACK, winner.process(id, Lease.unmanaged()));
        Recording done = cluster.recordings.get(id).join().orElseThrow();
        assertEquals(RecordingState.COMPLETED, done.state(), () -> done.errorCode() + ": " + done.errorMessage());
        assertEquals(2, done.mergeAttempts());
        return new Race(gate, stale);
    }

    private void awaitLeaseExpiry(RecordingId id) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            String until = cluster.recordings.fields(id).join().get(MetaFields.MERGE_LEASE_UNTIL);
            if (until != null && Long.parseLong(until) < System.currentTimeMillis()) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "attempt 1's lease did not run out");
            Thread.sleep(100);
        }
    }

    private ObjectKeys keys() {
        return cluster.storage.keys();
    }

    /** Opens once; until then, uploads wait. */
    private static final class Gate {
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch opened = new CountDownLatch(1);

        void open() {
            opened.countDown();
        }

        CompletableFuture<Void> pass() {
            reached.countDown();
            return CompletableFuture.runAsync(() -> {
                try {
                    opened.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    /** The real output store, except that MP4 uploads (staged, then published) start only once the gate opens. */
    private static final class GatedOutputs extends ForwardingOutputStore {
        private final Gate gate;

        GatedOutputs(S3Store s3, Gate gate) {
            super(s3);
            this.gate = gate;
        }

        @Override
        public CompletableFuture<StagedUpload> stageFile(String key, Path file, String contentType) {
            return gate.pass().thenCompose(x -> delegate.stageFile(key, file, contentType));
        }
    }
}
