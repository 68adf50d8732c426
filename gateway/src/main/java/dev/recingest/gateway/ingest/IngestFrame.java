package dev.recingest.gateway.ingest;

import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One WebSocket frame of the ingest protocol as {@link IngestFrameDecoder} hands it to the {@link IngestHandler}:
 * a chunk, a control message, or a frame that breaks the protocol.
 */
sealed interface IngestFrame {

    /**
     * A chunk frame (PROTOCOL.md, "Chunk frames"): its seq ({@code -1}: the gateway assigns the index) and its
     * payload, which this holder owns (released after the handler's read; the handler retains what it keeps).
     */
    final class Chunk extends DefaultByteBufHolder implements IngestFrame {
        private final long seq;

        Chunk(long seq, ByteBuf payload) {
            super(payload);
            this.seq = seq;
        }

        long seq() {
            return seq;
        }
    }

    /** A control message (a text frame): start, part, stop or abort, or another type the handler refuses. */
    record Control(Message message) implements IngestFrame {
    }

    /**
     * A frame that breaks the protocol, with the error it is answered with.
     *
     * @param chunk a binary frame: the connection's phase may refuse it first (a chunk before {@code start})
     */
    record Invalid(IngestException error, boolean chunk) implements IngestFrame {
    }
}
