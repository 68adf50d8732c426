package dev.recingest.protocol;

import java.nio.ByteBuffer;

/**
 * The binary chunk frame: {@code uint8 kind (0x01)}, {@code int64 seq} big-endian, then the payload.
 * Only the layout lives here; the gateway parses it straight off a Netty buffer without copying.
 */
public final class ChunkFrame {

    public static final byte KIND_CHUNK = 0x01;
    public static final int HEADER_BYTES = 9;
    /** The seq a client sends to let the gateway assign the index (at-least-once mode). */
    public static final long AUTO_SEQ = -1;

    private ChunkFrame() {
    }

    /** Encodes one frame; used by the client and by tests. */
    public static ByteBuffer encode(long seq, byte[] payload, int offset, int length) {
        ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + length);
        buf.put(KIND_CHUNK).putLong(seq).put(payload, offset, length).flip();
        return buf;
    }

    public static ByteBuffer encode(long seq, byte[] payload) {
        return encode(seq, payload, 0, payload.length);
    }
}
