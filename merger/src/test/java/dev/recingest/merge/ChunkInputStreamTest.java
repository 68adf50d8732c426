package dev.recingest.merge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.merge.ChunkPlan.ChunkRef;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.RecordingId;
import dev.recingest.storage.ChunkStore;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChunkInputStreamTest {

    private static final RecordingId ID = RecordingId.of("r");
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    /** Chunks that arrive after a delay, counting how many requests are open at once. */
    private final class SlowStore implements ChunkStore {
        final Map<Long, byte[]> chunks = new ConcurrentHashMap<>();
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger maxOpen = new AtomicInteger();

        @Override
        public CompletableFuture<byte[]> getChunk(RecordingId id, long index) {
            maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            timer.schedule(() -> {
                open.decrementAndGet();
                byte[] b = chunks.get(index);
                if (b == null) {
                    f.completeExceptionally(new IngestException(ErrorCode.NOT_FOUND, "object not found"));
                } else {
                    f.complete(b);
                }
            }, 5, TimeUnit.MILLISECONDS);
            return f;
        }

        @Override
        public CompletableFuture<Void> putChunk(RecordingId id, long index, ByteBuf payload) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<SortedMap<Long, Long>> listChunks(RecordingId id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<dev.recingest.storage.StoredObjects> listFrom(RecordingId id, long from) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<Void> deleteChunks(RecordingId id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<Void> ping() {
            return CompletableFuture.completedFuture(null);
        }
    }

    private static List<ChunkRef> refs(SlowStore store, int n) {
        List<ChunkRef> refs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[100 + i];
            java.util.Arrays.fill(b, (byte) i);
            store.chunks.put((long) i, b);
            refs.add(new ChunkRef(i, b.length));
        }
        return refs;
    }

    @Test
    void readsEveryChunkInOrderWithBoundedPrefetch() throws IOException {
        SlowStore store = new SlowStore();
        List<ChunkRef> refs = refs(store, 20);
        AtomicLong progress = new AtomicLong();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        refs.forEach(r -> expected.writeBytes(store.chunks.get(r.index())));
        try (ChunkInputStream in = new ChunkInputStream(new ChunkPrefetcher(store, ID, refs, 3, 1 << 20, Duration.ofSeconds(5), Runnable::run), progress)) {
            assertArrayEquals(expected.toByteArray(), in.readAllBytes());
            assertTrue(in.complete());
            assertNull(in.failure());
            List<ChunkDigest> digests = in.digests();
            assertEquals(20, digests.size());
            assertEquals(new ChunkDigest(7, 107, ChunkPrefetcher.sha256(store.chunks.get(7L))), digests.get(7));
        }
        assertEquals(expected.size(), progress.get());
        assertTrue(store.maxOpen.get() <= 3, "at most the window in flight: " + store.maxOpen.get());
    }

    @Test
    void theByteWindowBoundsDownloadsInFlightWhateverTheChunkCountAllows() throws IOException {
        SlowStore store = new SlowStore();
        List<ChunkRef> refs = refs(store, 20); // 100..119 bytes each
        try (ChunkInputStream in = new ChunkInputStream(new ChunkPrefetcher(store, ID, refs, 16, 250, Duration.ofSeconds(5), Runnable::run),
                new AtomicLong())) {
            assertEquals(20 * 100 + 190, in.readAllBytes().length);
        }
        assertTrue(store.maxOpen.get() <= 2, "at most 250 bytes of chunks in flight: " + store.maxOpen.get());
    }

    @Test
    void aChunkLargerThanTheByteWindowIsStillFetchedAlone() throws IOException {
        SlowStore store = new SlowStore();
        List<ChunkRef> refs = refs(store, 5);
        try (ChunkInputStream in = new ChunkInputStream(new ChunkPrefetcher(store, ID, refs, 16, 10, Duration.ofSeconds(5), Runnable::run),
                new AtomicLong())) {
            assertEquals(5 * 100 + 10, in.readAllBytes().length);
        }
        assertEquals(1, store.maxOpen.get());
    }

    @Test
    void peekedChunksAreReadAgainFromTheStartAndCountedOnce() throws Exception {
        SlowStore store = new SlowStore();
        List<ChunkRef> refs = refs(store, 10);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        refs.forEach(r -> expected.writeBytes(store.chunks.get(r.index())));
        AtomicLong progress = new AtomicLong();
        try (ChunkInputStream in = new ChunkInputStream(new ChunkPrefetcher(store, ID, refs, 4, 1 << 20, Duration.ofSeconds(5), Runnable::run),
                progress)) {
            ChunkInputStream.Prefix head = in.peek(250);
            assertEquals(3, head.chunks());
            assertArrayEquals(java.util.Arrays.copyOf(expected.toByteArray(), 100 + 101 + 102), head.bytes());
            assertArrayEquals(expected.toByteArray(), in.readAllBytes());
            assertEquals(10, in.digests().size());
            assertTrue(in.complete());
        }
        assertEquals(expected.size(), progress.get());
    }

    @Test
    void aChunkGoneFromStorageStopsTheStreamWithItsIndex() {
        SlowStore store = new SlowStore();
        List<ChunkRef> refs = refs(store, 6);
        store.chunks.remove(4L);
        ChunkInputStream in = new ChunkInputStream(new ChunkPrefetcher(store, ID, refs, 2, 1 << 20, Duration.ofSeconds(5), Runnable::run), new AtomicLong());
        assertThrows(IOException.class, in::readAllBytes);
        assertFalse(in.complete());
        assertEquals(MergeError.MISSING_CHUNKS, in.failure().error());
        assertEquals("chunks missing from storage: [4]", in.failure().getMessage());
        assertEquals(4, in.digests().size());
    }

    @Test
    void aChunkOfTheWrongSizeIsASizeMismatch() {
        SlowStore store = new SlowStore();
        List<ChunkRef> refs = new ArrayList<>(refs(store, 3));
        refs.set(1, new ChunkRef(1, 5));
        ChunkInputStream in = new ChunkInputStream(new ChunkPrefetcher(store, ID, refs, 2, 1 << 20, Duration.ofSeconds(5), Runnable::run), new AtomicLong());
        assertThrows(IOException.class, in::readAllBytes);
        assertEquals(MergeError.SIZE_MISMATCH, in.failure().error());
    }
}
