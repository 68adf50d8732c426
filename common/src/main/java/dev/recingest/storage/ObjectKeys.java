package dev.recingest.storage;

import dev.recingest.protocol.RecordingId;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The storage layout. Only exact chunk keys count as chunks: an S3 server killed mid-write can leave
 * temporary objects such as {@code chunks/0000000613-<uuid>} in a listing, and those are ignored.
 */
public final class ObjectKeys {

    private static final Pattern CHUNK_NAME = Pattern.compile("^[0-9]{10}$");
    /** The files of a live rendition that players fetch: its init segments and media segments. */
    public static final Pattern LIVE_MEDIA_NAME = Pattern.compile("^(init-[0-9]{1,6}\\.mp4|[0-9]{8}\\.m4s)$");
    private static final Pattern PART_NAME = Pattern.compile("^([0-9]{10})-([0-9]{1,19})$");

    private final String prefix;

    public ObjectKeys(String prefix) {
        this.prefix = prefix;
    }

    public String recording(RecordingId id) {
        return prefix + id.value() + "/";
    }

    public String chunksPrefix(RecordingId id) {
        return recording(id) + "chunks/";
    }

    public String chunk(RecordingId id, long index) {
        if (index < 0 || index > 9_999_999_999L) {
            throw new IllegalArgumentException("chunk index out of range: " + index);
        }
        return chunksPrefix(id) + String.format("%010d", index);
    }

    public String partsPrefix(RecordingId id) {
        return recording(id) + "parts/";
    }

    /**
     * The mark of a part boundary ({@code dev.recingest.state.PartStart}): the part whose first chunk is
     * {@code firstSeq} started at {@code startedAtMillis} (epoch ms). Both are in the name, so a listing tells
     * every boundary without reading an object. Sorts after {@code manifest.json} and before
     * {@code recording.mp4}, so a listing from any chunk on ({@link ChunkStore#listFrom}) sees them all.
     */
    public String partStart(RecordingId id, long firstSeq, long startedAtMillis) {
        if (firstSeq <= 0 || firstSeq > 9_999_999_999L || startedAtMillis < 0) {
            throw new IllegalArgumentException("part start out of range: " + firstSeq + " at " + startedAtMillis);
        }
        return partsPrefix(id) + String.format("%010d-%d", firstSeq, startedAtMillis);
    }

    /** A part boundary named by an exact part key of this recording ({@link #partStart}), or empty. */
    public Optional<long[]> partStartOf(RecordingId id, String key) {
        String p = partsPrefix(id);
        if (!key.startsWith(p)) {
            return Optional.empty();
        }
        Matcher m = PART_NAME.matcher(key.substring(p.length()));
        return m.matches() ? Optional.of(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))})
                : Optional.empty();
    }

    public String output(RecordingId id) {
        return recording(id) + "recording.mp4";
    }

    /**
     * Where the live rendition lives ({@code dev.recingest.live}): its playlist {@code live.m3u8}, init segments
     * {@code init-<part>.mp4}, media segments {@code <sequence, 8 digits>.m4s}, and the state of the MP4 it
     * uploads as it goes ({@code mp4-upload.json}, {@code mp4-parts.json}, {@code mp4-final.json}).
     */
    public String live(RecordingId id) {
        return recording(id) + "live/";
    }

    public String livePlaylist(RecordingId id) {
        return live(id) + "live.m3u8";
    }

    /** A file of the live rendition by its name; only names of {@link #LIVE_MEDIA_NAME} or the rendition's state files. */
    public String liveFile(RecordingId id, String name) {
        if (!LIVE_MEDIA_NAME.matcher(name).matches() && !name.matches("^mp4-(upload|parts|final)\\.json$")) {
            throw new IllegalArgumentException("not a file of a live rendition: " + name);
        }
        return live(id) + name;
    }

    public String manifest(RecordingId id) {
        return recording(id) + "manifest.json";
    }

    /**
     * Where stopped recordings whose merge is still owed are marked, one empty object per id. Not a valid
     * recording id ({@code .} is outside the id alphabet), so it never mixes with a recording's objects.
     */
    public String mergesOwed() {
        return prefix + ".merges-owed/";
    }

    public String mergeOwed(RecordingId id) {
        return mergesOwed() + id.value();
    }

    /** A gateway's warm-up write (one tiny object, overwritten by every start; not a recording id). */
    public String warmup() {
        return prefix + ".warmup";
    }

    /** Left when a recording is aborted or deleted: the id stays ended for good. */
    public String tombstone(RecordingId id) {
        return recording(id) + "tombstone.json";
    }

    /** The index of an exact chunk key of this recording, or empty for anything else. */
    public OptionalLong chunkIndex(RecordingId id, String key) {
        String p = chunksPrefix(id);
        if (!key.startsWith(p)) {
            return OptionalLong.empty();
        }
        String name = key.substring(p.length());
        return CHUNK_NAME.matcher(name).matches() ? OptionalLong.of(Long.parseLong(name)) : OptionalLong.empty();
    }
}
