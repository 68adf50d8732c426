package dev.recingest.storage;

import java.util.Map;
import java.util.SortedMap;

/**
 * A recording's objects as one listing found them ({@link ChunkStore#listFrom}).
 *
 * @param chunks    index to size of the exact chunk objects at or above the listing's start
 * @param manifest  {@code manifest.json} exists: the recording was stopped (and maybe merged or failed)
 * @param tombstone {@code tombstone.json} exists: the recording was aborted or deleted
 * @param parts     every part boundary storage records ({@link ObjectKeys#partStart}), whatever the listing's
 *                  start: first seq to start time (epoch ms; the earliest where one seq was marked twice)
 */
public record StoredObjects(SortedMap<Long, Long> chunks, boolean manifest, boolean tombstone, Map<Long, Long> parts) {

    public StoredObjects {
        parts = Map.copyOf(parts);
    }

    /** A listing that found no part boundary. */
    public StoredObjects(SortedMap<Long, Long> chunks, boolean manifest, boolean tombstone) {
        this(chunks, manifest, tombstone, Map.of());
    }

    /** True when storage records an end of the recording (a manifest or a tombstone). */
    public boolean ended() {
        return manifest || tombstone;
    }
}
