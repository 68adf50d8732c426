package dev.recingest.state;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where one part of a recording begins (PROTOCOL.md, "part"): a part is one continuous stream, and a recording
 * is its parts joined in order. Part 0 begins at chunk 0 when the recording is created; every later part at the
 * chunk that was the recording's {@code nextSeq} when its {@code part} message was answered. Chunk {@code i}
 * belongs to the last part whose {@code firstSeq} is at or below it. A part boundary is a discontinuity of the
 * media: timestamps may start over and (in stream mode) the part's first chunk begins with a container header.
 *
 * <p>Where it lives: Redis {@code rec:{id}:parts} (a hash of first seq to start time, epoch ms; part 0 is not in
 * it) and storage {@code {id}/parts/<firstSeq>-<startedAt>} ({@code ObjectKeys#partStart}), written before Redis;
 * read through {@link Recording#parts()}, and in the merged recording's {@code manifest.json} ({@code parts}).
 *
 * @param part      0, 1, 2, … in order
 * @param firstSeq  the index of the part's first chunk
 * @param startedAt when the part started: the recording's creation for part 0, the {@code part} message for the
 *                  others; null when not known
 */
public record PartStart(int part, long firstSeq, Instant startedAt) {

    /**
     * Every part of a recording, part 0 first, from its boundaries after part 0 (first seq to start time, epoch
     * ms, as the parts hash and storage keep them) and the recording's creation time.
     */
    public static List<PartStart> list(Instant createdAt, Map<Long, Long> boundaries) {
        List<PartStart> out = new ArrayList<>(boundaries.size() + 1);
        out.add(new PartStart(0, 0, createdAt));
        new TreeMap<>(boundaries).forEach((first, at) -> {
            if (first > 0) {
                out.add(new PartStart(out.size(), first, at == null ? null : Instant.ofEpochMilli(at)));
            }
        });
        return List.copyOf(out);
    }
}
