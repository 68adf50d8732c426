package dev.recingest.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.recingest.durable.PartLedger;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Outcomes;
import dev.recingest.state.RecordingStore;
import dev.recingest.state.SeqMode;
import dev.recingest.storage.S3Store;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Writes recordings into storage and the ledger the way the gateway does, without a gateway: start; per chunk
 * assign (explicit seq), put the object, commit; a part's boundary checked, marked in storage, then recorded; stop.
 * Each step's outcome is asserted (a recording that does not start fresh is a broken test). The merge job is not
 * queued: that is the caller's next step.
 */
public final class RecordingWriter {

    private final RecordingStore store;
    private final S3Store s3;

    /** Writes through {@code store}'s ledger and into {@code s3}, for a test whose backend is wired elsewhere. */
    public RecordingWriter(RecordingStore store, S3Store s3) {
        this.store = store;
        this.s3 = s3;
    }

    /** Records {@code chunks} under seqs 0..N-1 and stops the recording. */
    public void record(RecordingId id, String contentType, Mode mode, String metadata, List<byte[]> chunks) {
        Open open = start(id, contentType, mode, metadata);
        for (int seq = 0; seq < chunks.size(); seq++) {
            open.write(seq, chunks.get(seq));
        }
        open.stop(chunks.size() - 1);
    }

    /** Starts a new recording, to be written chunk by chunk (a test that looks at it between chunks). */
    public Open start(RecordingId id, String contentType, Mode mode, String metadata) {
        return new Open(id, startEpoch(id, contentType, mode, metadata));
    }

    /** A started recording: its chunks written and its stop recorded as the gateway does. */
    public final class Open {
        public final RecordingId id;
        public final long epoch;

        private Open(RecordingId id, long epoch) {
            this.id = id;
            this.epoch = epoch;
        }

        /** Assign (explicit {@code seq}), put, commit. */
        public void write(long seq, byte[] bytes) {
            RecordingWriter.this.write(id, epoch, seq, bytes);
        }

        /** Stops the recording at {@code lastSeq}. */
        public void stop(long lastSeq) {
            RecordingWriter.this.stop(id, epoch, lastSeq);
        }
    }

    /**
     * Records each list of chunks as one part (PROTOCOL.md, "part") under explicit seqs, the way the gateway does:
     * the boundary is checked, marked in storage, then recorded in Redis, before the part's first chunk. Then stops.
     */
    public void recordParts(RecordingId id, String contentType, Mode mode, List<List<byte[]>> parts) {
        long epoch = startEpoch(id, contentType, mode, null);
        int seq = 0;
        for (int p = 0; p < parts.size(); p++) {
            if (p > 0) {
                Outcomes.PartOutcome check = store.ledger().part(id, epoch, false, -1, System.currentTimeMillis()).join();
                assertEquals(Outcomes.PartKind.NEW, check.kind());
                new PartLedger(s3).record(id, check.part(), check.firstSeq(), check.startedAt()).join();
                Outcomes.PartOutcome done = store.ledger().part(id, epoch, true, check.firstSeq(), check.startedAt()).join();
                assertEquals(Outcomes.PartKind.NEW, done.kind());
                assertEquals(seq, done.firstSeq());
            }
            for (byte[] chunk : parts.get(p)) {
                write(id, epoch, seq++, chunk);
            }
        }
        stop(id, epoch, seq - 1);
    }

    /**
     * Records a stream read from {@code in} in chunks of {@code chunkBytes}, four uploads in flight, and stops it;
     * returns the bytes written. Memory stays at a few chunks whatever the stream's length.
     */
    public long recordStream(RecordingId id, String contentType, InputStream in, int chunkBytes)
            throws IOException, InterruptedException {
        long epoch = startEpoch(id, contentType, Mode.STREAM, "");
        Semaphore inFlight = new Semaphore(4);
        List<CompletableFuture<?>> all = new ArrayList<>();
        long seq = 0;
        long total = 0;
        byte[] chunk;
        while ((chunk = in.readNBytes(chunkBytes)).length > 0) {
            inFlight.acquire();
            Outcomes.Assignment a = assign(id, epoch, seq++);
            long size = chunk.length;
            total += size;
            all.add(s3.putChunk(id, a.index(), Unpooled.wrappedBuffer(chunk))
                    .thenCompose(x -> store.ledger().commit(id, a.index(), size))
                    .whenComplete((x, e) -> inFlight.release()));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        stop(id, epoch, seq - 1);
        return total;
    }

    /** Puts chunk object {@code index} in storage only (no ledger): what a gateway leaves when it dies before the commit. */
    public void put(RecordingId id, long index, byte[] bytes) {
        s3.putChunk(id, index, Unpooled.wrappedBuffer(bytes)).join();
    }

    private long startEpoch(RecordingId id, String contentType, Mode mode, String metadata) {
        Outcomes.StartOutcome started = store.ledger().start(id, contentType, mode, metadata).join();
        assertEquals(Outcomes.StartKind.CREATED, started.kind(), id + " starts fresh");
        return started.epoch();
    }

    /** Assign (explicit {@code seq}), put, commit: one chunk of a recording started at {@code epoch}. */
    public void write(RecordingId id, long epoch, long seq, byte[] bytes) {
        Outcomes.Assignment a = assign(id, epoch, seq);
        put(id, a.index(), bytes);
        store.ledger().commit(id, a.index(), bytes.length).join();
    }

    private Outcomes.Assignment assign(RecordingId id, long epoch, long seq) {
        Outcomes.Assignment a = store.ledger().assign(id, epoch, seq, SeqMode.EXPLICIT).join();
        assertEquals(Outcomes.AssignKind.NEW, a.kind(), id + " seq " + seq + " is new");
        return a;
    }

    private void stop(RecordingId id, long epoch, long lastSeq) {
        assertEquals(Outcomes.StopKind.STOPPED, store.ledger().stop(id, epoch, lastSeq).join().kind(), id + " stops");
    }
}
