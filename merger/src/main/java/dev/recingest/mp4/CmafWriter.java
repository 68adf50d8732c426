package dev.recingest.mp4;

import java.util.List;

/**
 * Writes a {@link MediaSegment} as one CMAF fragment for HLS: a {@code moof} with a track fragment per track
 * that has samples ({@code tfhd} with default-base-is-moof, {@code tfdt}, one {@code trun} giving every
 * sample's duration, size, flags and composition offset), then one {@code mdat} holding the tracks' samples
 * track after track. The {@code mdat} body is what the progressive MP4 gets of this segment
 * ({@link SampleTables}): the same bytes, in the same order.
 */
public final class CmafWriter {

    /** Sample flags of a sync sample: depends on no other sample. */
    static final int SYNC_FLAGS = 0x02000000;
    /** Sample flags of a non-sync sample: depends on others, is a difference sample. */
    static final int NON_SYNC_FLAGS = 0x01010000;

    private CmafWriter() {
    }

    /**
     * A written segment.
     *
     * @param bytes         {@code moof} and {@code mdat}
     * @param payloadOffset where the {@code mdat} body starts in {@code bytes}
     */
    public record Written(byte[] bytes, int payloadOffset) {

        public int payloadLength() {
            return bytes.length - payloadOffset;
        }
    }

    public static Written write(InitSegment init, MediaSegment segment) {
        long payload = segment.payloadBytes();
        if (payload > Integer.MAX_VALUE - (1 << 20)) {
            throw new IllegalArgumentException("segment of " + payload + " bytes");
        }
        int samples = segment.tracks().stream().mapToInt(List::size).sum();
        BoxWriter w = new BoxWriter(256 + samples * 16 + (int) payload);
        w.begin("moof");
        w.beginFull("mfhd", 0, 0).u32(segment.sequence() + 1).end();
        int[] dataOffsetAt = new int[segment.tracks().size()];
        for (int t = 0; t < segment.tracks().size(); t++) {
            List<Sample> run = segment.tracks().get(t);
            dataOffsetAt[t] = -1;
            if (run.isEmpty()) {
                continue;
            }
            boolean negative = run.stream().anyMatch(s -> s.cto() < 0);
            w.begin("traf");
            w.beginFull("tfhd", 0, 0x20000).u32(init.tracks().get(t).id()).end();
            w.beginFull("tfdt", 1, 0).u64(run.get(0).dts()).end();
            w.beginFull("trun", negative ? 1 : 0, 0x1 | 0x100 | 0x200 | 0x400 | 0x800).u32(run.size());
            dataOffsetAt[t] = w.length();
            w.u32(0);
            for (Sample s : run) {
                w.u32(s.duration()).u32(s.length()).u32(s.sync() ? SYNC_FLAGS : NON_SYNC_FLAGS).u32(s.cto() & 0xffffffffL);
            }
            w.end().end();
        }
        w.end();
        int moofLength = w.length();
        w.u32(8 + payload).ascii("mdat");
        int payloadOffset = w.length();
        long at = payloadOffset;
        for (int t = 0; t < segment.tracks().size(); t++) {
            List<Sample> run = segment.tracks().get(t);
            if (run.isEmpty()) {
                continue;
            }
            w.put32(dataOffsetAt[t], at);
            for (Sample s : run) {
                w.bytes(s.data(), s.offset(), s.length());
                at += s.length();
            }
        }
        if (moofLength <= 0) {
            throw new IllegalStateException("no moof");
        }
        return new Written(w.toByteArray(), payloadOffset);
    }
}
