package dev.recingest.live;

import dev.recingest.merge.Await;
import dev.recingest.mp4.CmafWriter;
import dev.recingest.mp4.InitSegment;
import dev.recingest.mp4.MalformedMp4;
import dev.recingest.mp4.MediaSegment;
import dev.recingest.mp4.SampleTables;
import dev.recingest.protocol.RecordingId;
import dev.recingest.storage.ObjectKeys;
import dev.recingest.storage.OutputStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Where a rendition's segments go, one at a time, in order: the segment object, then (with the lease renewed just
 * before) the playlist that lists it, which is the moment it is published; then its payload to the MP4 upload
 * ({@link FastMp4}) and its samples to the tables. A worker that dies between two of these steps leaves storage in
 * a state the next one continues from ({@link Resumption}): a segment object not listed is written again, a part
 * uploaded but not recorded is uploaded again.
 */
final class RenditionOutput implements SegmentPipeline.Sink {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RenditionOutput.class);

    private static final Duration WAIT = Duration.ofMinutes(1);

    private final RecordingId id;
    private final OutputStore outputs;
    private final ObjectKeys keys;
    private final LiveLease lease;
    private final Playlist playlist;
    private final FastMp4 mp4;
    private final int part;
    private final Clock clock;
    private final Consumer<Map<String, String>> firstListed;
    private SampleTables tables;
    private volatile double listedSeconds;
    private volatile long liveAt;
    private volatile String state = "LIVE";

    /**
     * @param tables      the tables of the segments already published (a rendition taken over), or null
     * @param liveAt      when the first segment was listed (epoch ms), or 0 if none was yet
     * @param firstListed told once the first segment of the recording is listed, with the status then
     */
    RenditionOutput(RecordingId id, OutputStore outputs, LiveLease lease, Playlist playlist, SampleTables tables,
                    FastMp4 mp4, int part, long liveAt, Clock clock, Consumer<Map<String, String>> firstListed) {
        this.id = id;
        this.outputs = outputs;
        this.keys = outputs.keys();
        this.lease = lease;
        this.playlist = playlist;
        this.tables = tables;
        this.mp4 = mp4;
        this.part = part;
        this.liveAt = liveAt;
        this.clock = clock;
        this.firstListed = firstListed;
        this.listedSeconds = playlist.durationSeconds();
    }

    @Override
    public void init(InitSegment init) throws InterruptedException {
        if (tables == null) {
            lease.hold(status());
            Await.within(outputs.putBytes(keys.liveFile(id, Playlist.initName(part)), init.bytes(), "video/mp4"), WAIT);
            tables = new SampleTables(init);
            return;
        }
        // Taken over: the published init segment stays; the new run must describe the same tracks.
        InitSegment published = tables.init();
        if (published.tracks().size() != init.tracks().size()) {
            throw new MalformedMp4("the remux has " + init.tracks().size() + " tracks, the published init "
                    + published.tracks().size());
        }
        for (int t = 0; t < init.tracks().size(); t++) {
            InitSegment.Track a = published.tracks().get(t);
            InitSegment.Track b = init.tracks().get(t);
            if (a.timescale() != b.timescale() || !a.codec().equals(b.codec()) || a.id() != b.id()) {
                throw new MalformedMp4("the remux's track " + b.id() + " (" + b.codec() + ", " + b.timescale()
                        + ") differs from the published one (" + a.codec() + ", " + a.timescale() + ")");
            }
        }
    }

    @Override
    public void segment(MediaSegment segment) throws IOException, InterruptedException {
        CmafWriter.Written w = CmafWriter.write(tables.init(), segment);
        String name = Playlist.segmentName(segment.sequence());
        Await.within(outputs.putBytes(keys.liveFile(id, name), w.bytes(), "video/iso.segment"), WAIT);
        playlist.add(new Playlist.Entry(name, segment.durationSeconds(), part));
        boolean first = liveAt == 0;
        if (first) {
            liveAt = clock.millis();
        }
        listedSeconds = playlist.durationSeconds();
        Map<String, String> status = status();
        lease.hold(status);
        Await.within(outputs.putBytes(keys.livePlaylist(id), playlist.render().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "application/vnd.apple.mpegurl"), WAIT);
        tables.add(segment);
        mp4.add(segment.sequence(), w.bytes(), w.payloadOffset(), w.payloadLength());
        if (first) {
            firstListed.accept(status);
        }
    }

    /** Ends the playlist: from now on it is the VOD playlist of the whole recording. */
    void endPlaylist() throws InterruptedException {
        if (!playlist.ended()) {
            playlist.end();
        }
        state = "ENDED";
        long started = System.nanoTime();
        lease.hold(status());
        byte[] text = playlist.render().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Await.within(outputs.putBytes(keys.livePlaylist(id), text, "application/vnd.apple.mpegurl"), WAIT);
        // The rendition has read the last chunk and published the last segment (LiveStopBenchmark reads this).
        LOG.atInfo().addKeyValue("recording", id).addKeyValue("segments", playlist.size())
                .addKeyValue("playlistBytes", text.length)
                .addKeyValue("durationMs", (System.nanoTime() - started) / 1_000_000).log("live playlist ended");
    }

    SampleTables tables() {
        return tables;
    }

    Playlist playlist() {
        return playlist;
    }

    double listedSeconds() {
        return listedSeconds;
    }

    /** The status fields a renewal writes ({@link dev.recingest.state.LiveIndex#status}). */
    Map<String, String> status() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("state", state);
        m.put("segments", Integer.toString(playlist.size()));
        m.put("durationSeconds", String.format(Locale.ROOT, "%.3f", listedSeconds));
        m.put("updatedAt", Long.toString(clock.millis()));
        if (liveAt > 0) {
            m.put("liveAt", Long.toString(liveAt));
        }
        return m;
    }

    void state(String s) {
        state = s;
    }
}
