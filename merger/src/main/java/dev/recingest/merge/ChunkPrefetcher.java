package dev.recingest.merge;

import dev.recingest.merge.ChunkPlan.ChunkRef;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.RecordingId;
import dev.recingest.storage.ChunkStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads a recording's chunks in index order with up to {@code window} downloads and {@code windowBytes}
 * (by the plan's sizes; always at least one chunk) in flight, so that FFmpeg is fed at the speed of the
 * store's throughput rather than its latency while memory stays bounded whatever the chunk size: many
 * small 1 s chunks need a deep window to hide per-GET latency, a few large segments must not multiply
 * into hundreds of MiB. Every chunk is checked against the size the plan expects, and its SHA-256 (for
 * the manifest) is computed when its download completes, on the storage client's completion threads,
 * so that hashing runs in parallel and off the thread that feeds FFmpeg. Used by one consumer thread at
 * a time.
 */
final class ChunkPrefetcher implements AutoCloseable {

    private final ChunkStore store;
    private final RecordingId id;
    private final List<ChunkRef> chunks;
    private final int window;
    private final long windowBytes;
    private final Executor issuer;
    private final Duration chunkTimeout;
    // Concurrent only so that close() from another thread can drop what is in flight.
    private final ConcurrentLinkedDeque<CompletableFuture<Fetched>> inFlight = new ConcurrentLinkedDeque<>();
    // Appended by the reading thread, copied by the merge thread once FFmpeg is done.
    private final List<ChunkDigest> digests = new ArrayList<>();
    // The download the reader waits for, so that close() from another thread can wake it.
    private volatile CompletableFuture<Fetched> awaited;
    private volatile boolean closed;
    private int nextToRequest;
    private int nextToDeliver;
    private long inFlightBytes;

    /** A downloaded chunk and its SHA-256. */
    private record Fetched(byte[] bytes, String sha256) {
    }

    /**
     * @param issuer runs the storage client's request building for each GET: signing and the SDK's request
     *               pipeline cost about a millisecond of CPU per chunk, which on the reading thread (the one
     *               feeding FFmpeg) held FFmpeg's input back by that much per 1 s chunk (JFR of a 1-hour merge)
     */
    ChunkPrefetcher(ChunkStore store, RecordingId id, List<ChunkRef> chunks, int window, long windowBytes,
                    Duration chunkTimeout, Executor issuer) {
        this.issuer = issuer;
        this.store = store;
        this.id = id;
        this.chunks = List.copyOf(chunks);
        this.window = window;
        this.windowBytes = windowBytes;
        this.chunkTimeout = chunkTimeout;
    }

    /** The next chunk's bytes in index order, or null after the last one. */
    byte[] next() throws InterruptedException {
        if (closed) {
            throw new MergeFailure(MergeError.INTERNAL, "chunk reading was stopped");
        }
        if (nextToDeliver == chunks.size()) {
            return null;
        }
        while (nextToRequest < chunks.size() && inFlight.size() < window
                && (inFlight.isEmpty() || inFlightBytes + chunks.get(nextToRequest).size() <= windowBytes)) {
            ChunkRef next = chunks.get(nextToRequest++);
            inFlightBytes += next.size();
            // Hashed where the download completes (a size mismatch is reported on delivery, in order).
            inFlight.addLast(CompletableFuture.supplyAsync(() -> store.getChunk(id, next.index()), issuer)
                    .thenCompose(f -> f).thenApply(b -> new Fetched(b, sha256(b))));
        }
        ChunkRef ref = chunks.get(nextToDeliver);
        CompletableFuture<Fetched> head = inFlight.pollFirst();
        if (head == null) {
            throw new MergeFailure(MergeError.INTERNAL, "chunk reading was stopped");
        }
        awaited = head;
        if (closed) {
            // close() ran between taking the head and publishing it; it may not have seen it.
            head.cancel(false);
        }
        Fetched fetched;
        try {
            fetched = await(head, ref);
        } finally {
            awaited = null;
            inFlightBytes -= ref.size();
        }
        byte[] bytes = fetched.bytes();
        if (bytes.length != ref.size()) {
            throw new MergeFailure(MergeError.SIZE_MISMATCH, "chunk " + ref.index() + " read " + bytes.length
                    + " bytes from storage where Redis and the listing say " + ref.size());
        }
        ChunkDigest digest = new ChunkDigest(ref.index(), bytes.length, fetched.sha256());
        synchronized (digests) {
            digests.add(digest);
        }
        nextToDeliver++;
        return bytes;
    }

    private Fetched await(CompletableFuture<Fetched> future, ChunkRef ref) throws InterruptedException {
        try {
            return future.get(chunkTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new MergeFailure(MergeError.STORAGE_UNAVAILABLE,
                    "chunk " + ref.index() + " did not arrive within " + chunkTimeout, e);
        } catch (java.util.concurrent.CancellationException e) {
            throw new MergeFailure(MergeError.INTERNAL, "chunk reading was stopped", e);
        } catch (ExecutionException e) {
            IngestException ie = IngestException.from(e.getCause());
            if (ie.code() == ErrorCode.NOT_FOUND) {
                throw new MergeFailure(MergeError.MISSING_CHUNKS, "chunks missing from storage: [" + ref.index() + "]", ie);
            }
            throw MergeFailure.from(e.getCause());
        }
    }

    /** Digests of the chunks delivered so far, in index order. */
    List<ChunkDigest> digests() {
        synchronized (digests) {
            return List.copyOf(digests);
        }
    }

    /** Stops reading; safe to call from another thread while {@link #next()} waits. */
    @Override
    public void close() {
        // The SDK cannot abort a GET through the future, but dropping the futures frees their bytes
        // as soon as they land, and cancelling wakes a reader that waits for one.
        closed = true;
        CompletableFuture<Fetched> f = awaited;
        if (f != null) {
            f.cancel(false);
        }
        while ((f = inFlight.pollFirst()) != null) {
            f.cancel(false);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
