package dev.recingest.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.recingest.merge.ChunkPlan.ChunkRef;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class ContiguityCheckTest {

    private static Map<Long, Long> sizes(long n, long size) {
        Map<Long, Long> m = new TreeMap<>();
        LongStream.range(0, n).forEach(i -> m.put(i, size));
        return m;
    }

    @Test
    void completeRecordingGivesEveryChunkInOrder() {
        ChunkPlan plan = ContiguityCheck.verify(3, sizes(3, 10), sizes(3, 10), List.of());
        assertEquals(List.of(new ChunkRef(0, 10), new ChunkRef(1, 10), new ChunkRef(2, 10)), plan.chunks());
        assertEquals(30, plan.totalBytes());
    }

    @Test
    void chunkMissingFromStorageIsNamed() {
        Map<Long, Long> listed = sizes(8, 10);
        listed.remove(5L);
        MergeFailure f = assertThrows(MergeFailure.class, () -> ContiguityCheck.verify(8, sizes(8, 10), listed, List.of()));
        assertEquals(MergeError.MISSING_CHUNKS, f.error());
        assertEquals("chunks missing from storage: [5]", f.getMessage());
    }

    @Test
    void chunkUnknownToRedisIsMissing() {
        Map<Long, Long> recorded = sizes(4, 10);
        recorded.remove(0L);
        MergeFailure f = assertThrows(MergeFailure.class, () -> ContiguityCheck.verify(4, recorded, sizes(4, 10), List.of()));
        assertEquals(MergeError.MISSING_CHUNKS, f.error());
        assertEquals("chunks in storage but not recorded as stored in Redis: [0]", f.getMessage());
    }

    @Test
    void sizeDisagreementIsNamed() {
        Map<Long, Long> listed = sizes(4, 10);
        listed.put(3L, 7L);
        MergeFailure f = assertThrows(MergeFailure.class, () -> ContiguityCheck.verify(4, sizes(4, 10), listed, List.of()));
        assertEquals(MergeError.SIZE_MISMATCH, f.error());
        assertEquals("chunk sizes differ between Redis and storage: [3 (Redis 10, storage 7)]", f.getMessage());
    }

    @Test
    void voidIndicesAreSkippedAndReported() {
        Map<Long, Long> stored = sizes(5, 10);
        stored.remove(2L);
        ChunkPlan plan = ContiguityCheck.verify(5, stored, stored, List.of(2L));
        assertEquals(List.of(0L, 1L, 3L, 4L), plan.chunks().stream().map(ChunkRef::index).toList());
        assertEquals(List.of(2L), plan.voids());
        assertEquals(5, plan.chunkCount());
    }

    @Test
    void extraObjectsPastTheEndAreIgnored() {
        ChunkPlan plan = ContiguityCheck.verify(2, sizes(2, 10), sizes(3, 10), List.of());
        assertEquals(2, plan.chunks().size());
    }

    @Test
    void noChunksIsEmpty() {
        assertEquals(MergeError.EMPTY, assertThrows(MergeFailure.class,
                () -> ContiguityCheck.verify(0, Map.of(), Map.of(), List.of())).error());
        assertEquals(MergeError.EMPTY, assertThrows(MergeFailure.class,
                () -> ContiguityCheck.verify(2, Map.of(), Map.of(), List.of(0L, 1L))).error());
    }

    @Test
    void longListsAreCut() {
        MergeFailure f = assertThrows(MergeFailure.class, () -> ContiguityCheck.verify(1000, Map.of(), Map.of(), List.of()));
        assertEquals(true, f.getMessage().endsWith(", 49, ... (+950 more)]"), f.getMessage());
    }
}
