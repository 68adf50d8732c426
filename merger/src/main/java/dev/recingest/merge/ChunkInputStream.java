package dev.recingest.merge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The chunks of a recording as one byte stream, read from a {@link ChunkPrefetcher}: what FFmpeg reads
 * in stream mode (and for byte-joined MPEG-TS segments). The input never touches the disk.
 *
 * <p>FFmpeg sees a failure here only as an early end of input, and may then exit normally with a
 * truncated file; so the failure is kept, and the merge asks {@link #failure()} and {@link #complete()}
 * before it trusts FFmpeg's output.
 */
final class ChunkInputStream extends InputStream {

    private final ChunkPrefetcher chunks;
    private final AtomicLong progress;
    // Chunks taken by peek() and not yet read.
    private final Deque<byte[]> peeked = new ArrayDeque<>();
    private byte[] current = new byte[0];
    private int pos;
    private volatile boolean complete;
    private volatile MergeFailure failure;

    /** @param progress counts the bytes handed out (the worker's progress gauge reads it) */
    ChunkInputStream(ChunkPrefetcher chunks, AtomicLong progress) {
        this.chunks = chunks;
        this.progress = progress;
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
        while (pos == current.length) {
            if (!advance()) {
                return -1;
            }
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        progress.addAndGet(n);
        return n;
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
            peeked.addLast(next);
            prefix.writeBytes(next);
        }
        return new Prefix(prefix.toByteArray(), peeked.size());
    }

    private boolean advance() throws IOException {
        if (failure != null) {
            throw new IOException(failure.getMessage(), failure);
        }
        if (!peeked.isEmpty()) {
            current = peeked.pollFirst();
            pos = 0;
            return true;
        }
        try {
            byte[] next = chunks.next();
            if (next == null) {
                complete = true;
                return false;
            }
            current = next;
            pos = 0;
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

    /** Size and SHA-256 of every chunk handed out so far, in index order. */
    java.util.List<ChunkDigest> digests() {
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
