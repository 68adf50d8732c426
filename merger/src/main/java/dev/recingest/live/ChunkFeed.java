package dev.recingest.live;

import dev.recingest.state.MetaFields;
import dev.recingest.merge.Await;
import dev.recingest.merge.ChunkDigest;
import dev.recingest.merge.LiveCompatibility;
import dev.recingest.merge.MergeError;
import dev.recingest.merge.MergeFailure;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingState;
import dev.recingest.state.RecordingStore;
import dev.recingest.storage.ChunkStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A recording's chunks, in index order, as they are committed: polls the recording's record in Redis for
 * {@code filledTo} (every index below it is stored or void) and reads each new chunk from storage, skipping void
 * ones, with its SHA-256 for the manifest. Ends when the recording has stopped and every chunk has been read.
 * What Redis says only decides when to look: a Redis that went back and forgets commits it had made only makes
 * the feed wait (the gateway repairs Redis from storage as the recording goes on); chunks already read are never
 * read again.
 */
final class ChunkFeed {

    /** The recording was aborted or deleted while being rendered: nothing more will come. */
    static final class Gone extends Exception {
        Gone(String message) {
            super(message);
        }
    }

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Set<RecordingState> ENDED = EnumSet.of(RecordingState.STOPPED, RecordingState.MERGING,
            RecordingState.COMPLETED, RecordingState.FAILED);
    /** Polls without a record before a recording that Redis does not know is given up (a minute at 250 ms). */
    private static final int UNKNOWN_POLLS = 240;

    private final RecordingId id;
    private final RecordingStore recordings;
    private final ChunkStore chunks;
    private final Duration poll;
    private final List<ChunkDigest> digests = new ArrayList<>();
    private long next;
    private volatile long committed;
    private volatile RecordingState state;
    private long chunkCount = -1;
    private int unknownPolls;
    private final LiveCompatibility.SecondStream secondStream;

    ChunkFeed(RecordingId id, RecordingStore recordings, ChunkStore chunks, Duration poll, String contentType) {
        this.id = id;
        this.recordings = recordings;
        this.chunks = chunks;
        this.poll = poll;
        this.secondStream = new LiveCompatibility.SecondStream(contentType);
    }

    /** The next chunk's bytes, waiting for it to be committed; null once the recording stopped and all were read. */
    byte[] next() throws InterruptedException, Gone {
        while (true) {
            if (next < committed) {
                byte[] b = read(next);
                next++;
                if (b != null) {
                    return b;
                }
                continue;
            }
            if (chunkCount >= 0 && next >= chunkCount) {
                if (secondStream.end()) {
                    throw secondStreamFound();
                }
                return null;
            }
            look();
            if (next >= committed && !(chunkCount >= 0 && next >= chunkCount)) {
                Thread.sleep(poll.toMillis());
            }
        }
    }

    /** Chunks read so far (indices below this one). */
    long read() {
        return next;
    }

    /** Chunks committed at the last look: {@code committed - read} is how far the rendition is behind. */
    long committed() {
        return committed;
    }

    List<ChunkDigest> digests() {
        return List.copyOf(digests);
    }

    /** N, once the recording has stopped; -1 before. */
    long chunkCount() {
        return chunkCount;
    }

    private void look() throws InterruptedException, Gone {
        Map<String, String> meta;
        try {
            meta = Await.within(recordings.fields(id), WAIT);
        } catch (MergeFailure e) {
            if (!e.retryable()) {
                throw e;
            }
            // Redis unreachable for a moment (a failover, a restart): nothing new is known; look again at the next
            // poll. The lease decides whether this rendition goes on (it is lost if Redis stays away too long).
            return;
        }
        if (meta == null || !meta.containsKey(MetaFields.STATE)) {
            if (++unknownPolls > UNKNOWN_POLLS) {
                throw new Gone("Redis has had no record of the recording for " + poll.multipliedBy(UNKNOWN_POLLS));
            }
            return;
        }
        unknownPolls = 0;
        RecordingState s = RecordingState.valueOf(meta.get(MetaFields.STATE));
        state = s;
        if (s == RecordingState.ABORTED) {
            throw new Gone("the recording was aborted");
        }
        long filled = Long.parseLong(meta.getOrDefault(MetaFields.FILLED_TO, "0"));
        committed = Math.max(committed, filled);
        if (ENDED.contains(s) && meta.containsKey(MetaFields.CHUNKS)) {
            long n = Long.parseLong(meta.get(MetaFields.CHUNKS));
            // Stopped: every index below N is stored or void, so filledTo has reached N (a repair in flight aside).
            if (filled >= n) {
                chunkCount = n;
            }
        }
    }

    /** One chunk, or null for a void index. */
    private byte[] read(long index) throws InterruptedException {
        byte[] b;
        try {
            b = Await.within(chunks.getChunk(id, index), WAIT);
        } catch (MergeFailure e) {
            if (e.getCause() instanceof IngestException ie && ie.code() == ErrorCode.NOT_FOUND
                    && Await.within(recordings.voidIndices(id), WAIT).contains(index)) {
                return null;
            }
            throw e.getCause() instanceof IngestException ie && ie.code() == ErrorCode.NOT_FOUND
                    ? new MergeFailure(MergeError.MISSING_CHUNKS, "chunk " + index + " is recorded as stored but is not in storage", e)
                    : e;
        }
        digests.add(new ChunkDigest(index, b.length, sha256(b)));
        if (secondStream.add(b)) {
            throw secondStreamFound();
        }
        return b;
    }

    /** What the batch merge merges as parts, which one rendition (one FFmpeg reading one stream) cannot. */
    private MergeFailure secondStreamFound() {
        return new MergeFailure(MergeError.UNSUPPORTED_MEDIA, "a second container stream in the chunks of " + id
                + " (a new part, declared or not): the live rendition stops, the merge joins the parts");
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
