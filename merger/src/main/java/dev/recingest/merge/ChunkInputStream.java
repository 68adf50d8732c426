package dev.recingest.merge;

import dev.recingest.merge.ChunkPlan.ChunkRef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The chunks of a recording as byte streams, read from a {@link ChunkPrefetcher}: what FFmpeg reads in stream
 * mode (and for byte-joined MPEG-TS segments). The input never touches the disk.
 *
 * <p>One part at a time (PROTOCOL.md, "part"): a read returns the end of the stream where the current part
 * ends, at the first chunk of a declared part ({@code partStarts}) or where {@link StreamStarts} finds a new
 * container stream that nobody declared; {@link #boundary()} says which, and {@link #nextPart()} goes on with
 * the next part. A recording with one part and nothing found reads as one stream, as it always did.
 *
 * <p>FFmpeg sees a failure here only as an early end of input, and may then exit normally with a
 * truncated file; so the failure is kept, and the merge asks {@link #failure()} and {@link #complete()}
 * before it trusts FFmpeg's output.
 */
final class ChunkInputStream extends InputStream {

    /**
     * Where a part ended: before chunk {@code index} (declared), or at byte {@code offset} of it, where a new
     * stream's header begins (found).
     */
    record Boundary(long index, int offset, boolean declared) {
    }

    private final ChunkPrefetcher chunks;
    private final AtomicLong progress;
    private final List<ChunkRef> order;
    private final Set<Long> partStarts;
    private final StreamStarts detector;
    // Chunks taken from the prefetcher (by peek() or a look-ahead of the detector) and not yet current.
    private final Deque<byte[]> ahead = new ArrayDeque<>();
    private byte[] current = new byte[0];
    /** The current chunk's position in {@code order}; -1 before the first. */
    private int currentAt = -1;
    private int pos;
    /** Where the current part's bytes in the current chunk end: its length, or a new stream's header. */
    private int limit;
    /** The current part has a chunk already: a declared start or a header at the next position ends it. */
    private boolean partBegun;
    private Boundary boundary;
    private boolean partEnded;
    private volatile boolean complete;
    private volatile MergeFailure failure;

    /** One stream, no parts: every chunk in order. */
    ChunkInputStream(ChunkPrefetcher chunks, AtomicLong progress) {
        this(chunks, progress, List.of(), Set.of(), null);
    }

    /**
     * @param order      the chunks the prefetcher delivers, in its order (to know their indices)
     * @param partStarts the first index of every declared part after the first
     * @param detector   finds undeclared new streams; null to look for none
     * @param progress   counts the bytes handed out (the worker's progress gauge reads it)
     */
    ChunkInputStream(ChunkPrefetcher chunks, AtomicLong progress, List<ChunkRef> order, Set<Long> partStarts,
                     StreamStarts detector) {
        this.chunks = chunks;
        this.progress = progress;
        this.order = List.copyOf(order);
        this.partStarts = Set.copyOf(partStarts);
        this.detector = detector;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (pos == limit) {
            if (partEnded) {
                return -1;
            }
            if (limit < current.length) {
                // A new stream begins here: this part ends before its header.
                boundary = new Boundary(indexAt(currentAt), limit, false);
                partEnded = true;
                return -1;
            }
            if (!advance()) {
                return -1;
            }
        }
        int n = Math.min(len, limit - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        progress.addAndGet(n);
        return n;
    }

    /**
     * Goes on with the part after the boundary the last read stopped at; false when there is none (the
     * recording ended). Call once the previous part's reader is done.
     */
    synchronized boolean nextPart() throws IOException {
        if (!partEnded) {
            return false;
        }
        partEnded = false;
        if (boundary.declared()) {
            partBegun = false;
        } else {
            // The header at pos is the new part's own; look for the next one after it.
            limit = findLimit(pos + 1);
        }
        return true;
    }

    /** Why the last part ended, or null when it ended with the recording. */
    synchronized Boundary boundary() {
        return partEnded ? boundary : null;
    }

    /** The first chunks of the stream, at least {@code bytes} of them (fewer only if the stream is shorter). */
    record Prefix(byte[] bytes, int chunks) {
    }

    /**
     * Takes whole chunks from the start of the stream until they hold at least {@code bytes}, and returns a
     * copy of them; {@link #read} still returns them first. Call before the first read. A failure to fetch
     * them is thrown as it is (nothing has read the stream yet).
     */
    synchronized Prefix peek(long bytes) throws InterruptedException {
        ByteArrayOutputStream prefix = new ByteArrayOutputStream();
        byte[] next;
        while (prefix.size() < bytes && (next = chunks.next()) != null) {
            ahead.addLast(next);
            prefix.writeBytes(next);
        }
        return new Prefix(prefix.toByteArray(), ahead.size());
    }

    private boolean advance() throws IOException {
        if (failure != null) {
            throw new IOException(failure.getMessage(), failure);
        }
        try {
            byte[] next = ahead.isEmpty() ? chunks.next() : ahead.pollFirst();
            if (next == null) {
                complete = true;
                return false;
            }
            int at = currentAt + 1;
            if (partBegun && partStarts.contains(indexAt(at))) {
                ahead.addFirst(next);
                boundary = new Boundary(indexAt(at), 0, true);
                partEnded = true;
                return false;
            }
            current = next;
            currentAt = at;
            pos = 0;
            limit = findLimit(partBegun ? 0 : 1);
            partBegun = true;
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = new MergeFailure(MergeError.INTERNAL, "interrupted while reading chunks", e);
            throw new InterruptedIOException("interrupted while reading chunks");
        } catch (RuntimeException e) {
            failure = MergeFailure.from(e);
            throw new IOException(failure.getMessage(), failure);
        }
    }

    /** Where the current chunk's bytes for this part end, looking for a new stream from {@code from} on. */
    private int findLimit(int from) throws InterruptedIOException {
        if (detector == null) {
            return current.length;
        }
        try {
            int found = detector.find(current, from, this::around);
            return found < 0 ? current.length : found;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = new MergeFailure(MergeError.INTERNAL, "interrupted while reading chunks", e);
            throw new InterruptedIOException("interrupted while reading chunks");
        }
    }

    /** A byte of the current chunk or of the chunks after it (fetched into {@code ahead} as needed); -1 past the end. */
    private int around(long position) throws InterruptedException {
        if (position < current.length) {
            return current[(int) position] & 0xff;
        }
        long p = position - current.length;
        for (byte[] c : ahead) {
            if (p < c.length) {
                return c[(int) p] & 0xff;
            }
            p -= c.length;
        }
        byte[] next;
        while ((next = chunks.next()) != null) {
            ahead.addLast(next);
            if (p < next.length) {
                return next[(int) p] & 0xff;
            }
            p -= next.length;
        }
        return -1;
    }

    private long indexAt(int at) {
        return order.isEmpty() ? at : order.get(at).index();
    }

    /** Size and SHA-256 of every chunk fetched so far, in index order. */
    List<ChunkDigest> digests() {
        return chunks.digests();
    }

    /** True once every chunk was read to its end. */
    boolean complete() {
        return complete;
    }

    /** Why reading stopped early, or null. */
    MergeFailure failure() {
        return failure;
    }

    @Override
    public void close() {
        chunks.close();
    }
}
