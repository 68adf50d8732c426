package dev.recingest.merge;

import dev.recingest.protocol.Mode;

/**
 * What the live rendition ({@code dev.recingest.live}) must agree on with the batch merge so that its MP4 is the
 * one the merge would make. The rendition reads a recording as one byte stream, as the merge does only where
 * {@link #byteJoined} (stream mode, and MPEG-TS segments); and as one part: a second container stream in the
 * bytes (a page reloaded by a client that knows nothing of parts, {@link StreamStarts}) is merged as parts by the
 * merge, so the rendition that meets one gives up ({@link SecondStream}) and the merge merges the chunks.
 */
public final class LiveCompatibility {

    private LiveCompatibility() {
    }

    /** Whether the merge feeds this recording's chunks to FFmpeg as one byte stream. */
    public static boolean byteJoined(Mode mode, String contentType) {
        return JoinStrategy.byteJoined(mode, InputFormat.of(contentType));
    }

    /**
     * Looks for a second container stream in chunks given in order, each checked once the next one (or the end)
     * is known, so that a header split over two chunks is seen.
     */
    public static final class SecondStream {

        private final StreamStarts detector;
        private byte[] pending;
        private boolean first = true;
        private boolean found;

        public SecondStream(String contentType) {
            this.detector = StreamStarts.of(InputFormat.of(contentType));
        }

        /** Adds the next chunk; true once a second stream has been found in the chunks before it. */
        public boolean add(byte[] chunk) throws InterruptedException {
            if (detector == null) {
                return false;
            }
            if (pending != null) {
                scan(pending, chunk);
            }
            pending = chunk;
            return found;
        }

        /** The chunks have ended; true if a second stream was found anywhere. */
        public boolean end() throws InterruptedException {
            if (detector != null && pending != null) {
                scan(pending, null);
                pending = null;
            }
            return found;
        }

        private void scan(byte[] chunk, byte[] next) throws InterruptedException {
            int from = first ? 1 : 0; // the recording's own header is at byte 0 of its first chunk
            first = false;
            found |= detector.find(chunk, from, p -> p < chunk.length ? chunk[(int) p] & 0xff
                    : next != null && p - chunk.length < next.length ? next[(int) (p - chunk.length)] & 0xff : -1) >= 0;
        }
    }
}
