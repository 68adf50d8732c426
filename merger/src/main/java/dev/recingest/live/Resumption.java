package dev.recingest.live;

import dev.recingest.merge.Await;
import dev.recingest.merge.MergeFailure;
import dev.recingest.mp4.FragmentReader;
import dev.recingest.mp4.InitSegment;
import dev.recingest.mp4.MalformedMp4;
import dev.recingest.mp4.MediaSegment;
import dev.recingest.mp4.Sample;
import dev.recingest.mp4.SampleTables;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.RecordingId;
import dev.recingest.storage.MultipartUploads;
import dev.recingest.storage.ObjectKeys;
import dev.recingest.storage.OutputStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What storage holds of a rendition, for the worker that takes it over (or the first one, which finds nothing):
 * the playlist (what is published), the init segment, and each listed segment's sample tables, read from the
 * segment's {@code moof} with a ranged GET (a few KiB each, 16 at a time: no media is downloaded but the MP4's
 * held-back head and not yet uploaded tail, see {@link FastMp4#resume}). From these the new run continues: FFmpeg
 * reads the recording again from its first chunk (stream-mode chunks are not files: only the first has the
 * container header), and every sample before where each track's published segments end is dropped.
 *
 * @param playlist the published playlist (empty for a fresh rendition)
 * @param tables   the tables of the listed segments, or null when none is listed
 * @param payloads each listed segment's payload size, by sequence
 * @param final_   the finished MP4's description, if the rendition had finished it
 */
record Resumption(Playlist playlist, SampleTables tables, List<Long> payloads, Optional<FinalOutput> final_) {

    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final int HEAD_BYTES = 64 << 10;
    private static final int IN_FLIGHT = 16;

    boolean fresh() {
        return playlist.size() == 0;
    }

    /** Decode time where each track's published segments end: samples before it are not new. */
    long[] resumeAt() {
        long[] at = new long[tables.init().tracks().size()];
        for (int t = 0; t < at.length; t++) {
            at[t] = tables.nextDts(t);
        }
        return at;
    }

    static Resumption load(OutputStore outputs, MultipartUploads uploads, RecordingId id, double targetSeconds)
            throws InterruptedException {
        ObjectKeys keys = outputs.keys();
        Optional<byte[]> text = optional(outputs.getBytes(keys.livePlaylist(id)));
        if (text.isEmpty()) {
            return new Resumption(new Playlist(targetSeconds), null, List.of(), Optional.empty());
        }
        Playlist playlist = Playlist.parse(new String(text.get(), StandardCharsets.UTF_8), targetSeconds);
        Optional<FinalOutput> done = optional(outputs.getBytes(keys.liveFile(id, "mp4-final.json"))).map(FinalOutput::fromJson);
        if (playlist.size() == 0) {
            return new Resumption(playlist, null, List.of(), done);
        }
        List<Playlist.Entry> entries = playlist.entries();
        int part = entries.get(0).part();
        if (entries.stream().anyMatch(e -> e.part() != part)) {
            throw new MalformedMp4("the playlist has several parts; a rendition of parts is not resumed");
        }
        InitSegment init = InitSegment.parse(Await.within(outputs.getBytes(keys.liveFile(id, Playlist.initName(part))), WAIT));
        SampleTables tables = new SampleTables(init);
        List<Long> payloads = new ArrayList<>(entries.size());
        List<CompletableFuture<byte[]>> window = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            while (window.size() < IN_FLIGHT && i + window.size() < entries.size()) {
                window.add(uploads.getRange(keys.liveFile(id, entries.get(i + window.size()).name()), 0, HEAD_BYTES));
            }
            Playlist.Entry e = entries.get(i);
            byte[] head = Await.within(window.remove(0), WAIT);
            int moofEnd = FragmentReader.moofEnd(head);
            if (moofEnd < 0 || moofEnd + 8 > head.length) {
                head = Await.within(outputs.getBytes(keys.liveFile(id, e.name())), WAIT);
            }
            long sequence = Long.parseLong(e.name().substring(0, e.name().indexOf('.')));
            if (sequence != i) {
                throw new MalformedMp4("the playlist lists " + e.name() + " as segment " + i);
            }
            List<Sample> samples = FragmentReader.describe(head, init);
            List<List<Sample>> byTrack = new ArrayList<>();
            for (int t = 0; t < init.tracks().size(); t++) {
                byTrack.add(new ArrayList<>());
            }
            long bytes = 0;
            for (Sample s : samples) {
                byTrack.get(s.track()).add(s);
                bytes += s.length();
            }
            tables.add(new MediaSegment(sequence, byTrack, 0, e.duration()));
            payloads.add(bytes);
        }
        return new Resumption(playlist, tables, payloads, done);
    }

    /** A published segment's payload (its {@code mdat} body, which follows its {@code moof}). */
    static byte[] payload(OutputStore outputs, RecordingId id, long sequence) throws InterruptedException {
        byte[] seg = Await.within(outputs.getBytes(outputs.keys().liveFile(id, Playlist.segmentName(sequence))), WAIT);
        int moofEnd = FragmentReader.moofEnd(seg);
        int header = dev.recingest.mp4.Box.u32(seg, moofEnd) == 1 ? 16 : 8;
        return java.util.Arrays.copyOfRange(seg, moofEnd + header, seg.length);
    }

    static <T> Optional<T> optional(CompletableFuture<T> f) throws InterruptedException {
        try {
            return Optional.of(Await.within(f, WAIT));
        } catch (MergeFailure e) {
            if (e.getCause() instanceof IngestException ie && ie.code() == ErrorCode.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
