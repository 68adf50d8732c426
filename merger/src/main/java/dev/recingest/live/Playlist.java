package dev.recingest.live;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The rendition's HLS media playlist, an EVENT playlist: segments are only ever appended, so the whole recording
 * so far stays listed (a player can seek back to its first second), and {@code #EXT-X-ENDLIST} ends it when the
 * recording stops, after which it is a VOD playlist of the whole recording. Segment URIs are relative (the
 * segments sit next to the playlist in storage); each part of the recording has its own init segment
 * ({@code init-<part>.mp4}) and starts after an {@code #EXT-X-DISCONTINUITY}. The playlist is also the record of
 * what is published: a worker that takes a rendition over continues after its last segment.
 */
final class Playlist {

    /** One listed segment: its file name, duration, and the part (and so the init segment) it belongs to. */
    record Entry(String name, double duration, int part) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private long targetDuration;
    private boolean ended;

    /** @param targetSeconds the segment duration aimed at; {@code #EXT-X-TARGETDURATION} is at least its ceiling */
    Playlist(double targetSeconds) {
        this.targetDuration = Math.max(1, (long) Math.ceil(targetSeconds - 1e-9));
    }

    static String segmentName(long sequence) {
        return String.format(Locale.ROOT, "%08d.m4s", sequence);
    }

    static String initName(int part) {
        return "init-" + part + ".mp4";
    }

    void add(Entry e) {
        if (ended) {
            throw new IllegalStateException("the playlist has ended");
        }
        entries.add(e);
        // The rounded EXTINF must not exceed the target duration. A copied video with key frames further apart
        // than the target makes longer segments: the target grows (players re-read it with every refresh).
        targetDuration = Math.max(targetDuration, Math.round(e.duration()));
    }

    void end() {
        ended = true;
    }

    boolean ended() {
        return ended;
    }

    List<Entry> entries() {
        return List.copyOf(entries);
    }

    int size() {
        return entries.size();
    }

    double durationSeconds() {
        return entries.stream().mapToDouble(Entry::duration).sum();
    }

    String render() {
        StringBuilder sb = new StringBuilder(128 + entries.size() * 40);
        sb.append("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:").append(targetDuration)
                .append("\n#EXT-X-PLAYLIST-TYPE:EVENT\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        int part = -1;
        for (Entry e : entries) {
            if (e.part() != part) {
                if (part >= 0) {
                    sb.append("#EXT-X-DISCONTINUITY\n");
                }
                part = e.part();
                sb.append("#EXT-X-MAP:URI=\"").append(initName(part)).append("\"\n");
            }
            sb.append(String.format(Locale.ROOT, "#EXTINF:%.6f,\n", e.duration())).append(e.name()).append('\n');
        }
        if (ended) {
            sb.append("#EXT-X-ENDLIST\n");
        }
        return sb.toString();
    }

    /** Reads a playlist this class rendered (a rendition taken over). */
    static Playlist parse(String text, double targetSeconds) {
        Playlist p = new Playlist(targetSeconds);
        int part = 0;
        Double duration = null;
        for (String line : text.split("\n")) {
            line = line.trim();
            if (line.startsWith("#EXT-X-MAP:URI=\"init-")) {
                part = Integer.parseInt(line.substring("#EXT-X-MAP:URI=\"init-".length(), line.indexOf(".mp4")));
            } else if (line.startsWith("#EXTINF:")) {
                duration = Double.valueOf(line.substring(8, line.indexOf(',')));
            } else if (line.equals("#EXT-X-ENDLIST")) {
                p.ended = true;
            } else if (!line.isEmpty() && !line.startsWith("#")) {
                if (duration == null) {
                    throw new IllegalArgumentException("a segment without #EXTINF: " + line);
                }
                p.entries.add(new Entry(line, duration, part));
                p.targetDuration = Math.max(p.targetDuration, Math.round(duration));
                duration = null;
            }
        }
        return p;
    }
}
