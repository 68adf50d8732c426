package dev.recingest.protocol;

import java.util.Locale;

/** How the chunks of a recording relate to each other (PROTOCOL.md, {@code start.mode}). */
public enum Mode {
    /** Consecutive byte ranges of one media stream; only the first chunk has the container header. */
    STREAM,
    /** Every chunk is a complete, independently playable file (MPEG-TS or MP4 segments). */
    SEGMENTS;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the wire value; absent means {@link #STREAM}. */
    public static Mode fromWire(String value) {
        if (value == null) {
            return STREAM;
        }
        for (Mode m : values()) {
            if (m.wire().equals(value)) {
                return m;
            }
        }
        throw new IngestException(ErrorCode.BAD_REQUEST, "mode must be 'stream' or 'segments'");
    }
}
