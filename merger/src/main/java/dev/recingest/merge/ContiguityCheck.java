package dev.recingest.merge;

import dev.recingest.merge.ChunkPlan.ChunkRef;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides whether a stopped recording can be merged: Redis's record of stored chunks and the listing of
 * chunk objects must both hold every index 0..N-1 that is not void, with the same size. Anything else
 * fails the recording before FFmpeg runs, so no partial MP4 is ever produced.
 */
final class ContiguityCheck {

    /** Indices named in an error message; a recording with thousands missing names the first ones. */
    static final int MAX_NAMED = 50;

    private ContiguityCheck() {
    }

    /**
     * @param chunkCount N
     * @param inRedis    index to size of the chunks Redis records as stored
     * @param inStorage  index to size of the exact chunk objects listed in storage
     * @param voids      indices that will never be stored (at-least-once mode)
     */
    static ChunkPlan verify(long chunkCount, Map<Long, Long> inRedis, Map<Long, Long> inStorage,
                            Collection<Long> voids) {
        Set<Long> voidSet = new HashSet<>(voids);
        List<Long> missingInStorage = new ArrayList<>();
        List<Long> missingInRedis = new ArrayList<>();
        List<String> sizeMismatches = new ArrayList<>();
        List<ChunkRef> refs = new ArrayList<>();
        long total = 0;
        for (long i = 0; i < chunkCount; i++) {
            if (voidSet.contains(i)) {
                continue;
            }
            Long stored = inStorage.get(i);
            Long recorded = inRedis.get(i);
            if (stored == null) {
                missingInStorage.add(i);
            } else if (recorded == null) {
                missingInRedis.add(i);
            } else if (!stored.equals(recorded)) {
                sizeMismatches.add(i + " (Redis " + recorded + ", storage " + stored + ")");
            } else {
                refs.add(new ChunkRef(i, stored));
                total += stored;
            }
        }
        if (!missingInStorage.isEmpty()) {
            throw new MergeFailure(MergeError.MISSING_CHUNKS, "chunks missing from storage: " + name(missingInStorage));
        }
        if (!missingInRedis.isEmpty()) {
            throw new MergeFailure(MergeError.MISSING_CHUNKS,
                    "chunks in storage but not recorded as stored in Redis: " + name(missingInRedis));
        }
        if (!sizeMismatches.isEmpty()) {
            throw new MergeFailure(MergeError.SIZE_MISMATCH,
                    "chunk sizes differ between Redis and storage: " + name(sizeMismatches));
        }
        if (refs.isEmpty()) {
            throw new MergeFailure(MergeError.EMPTY, chunkCount == 0
                    ? "the recording has no chunks" : "every one of the " + chunkCount + " chunks is void");
        }
        List<Long> sortedVoids = voidSet.stream().filter(v -> v >= 0 && v < chunkCount).sorted().toList();
        return new ChunkPlan(chunkCount, refs, sortedVoids, total);
    }

    /** "[5]", or "[0, 1, ... 49, ... (+120 more)]" past {@link #MAX_NAMED}. */
    static String name(List<?> items) {
        String shown = items.stream().limit(MAX_NAMED).map(String::valueOf).collect(Collectors.joining(", "));
        return items.size() <= MAX_NAMED ? "[" + shown + "]"
                : "[" + shown + ", ... (+" + (items.size() - MAX_NAMED) + " more)]";
    }
}
