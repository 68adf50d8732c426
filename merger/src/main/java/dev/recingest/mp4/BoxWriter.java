package dev.recingest.mp4;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Writes boxes into a growing byte array: {@link #begin} a box, write its fields, {@link #end} it (which
 * fills in its size). Big-endian, as MP4 is. Not thread-safe.
 */
public final class BoxWriter {

    private byte[] buf;
    private int len;
    private final Deque<Integer> open = new ArrayDeque<>();

    public BoxWriter(int capacity) {
        buf = new byte[Math.max(64, capacity)];
    }

    public BoxWriter begin(String type) {
        open.push(len);
        u32(0);
        ascii(type);
        return this;
    }

    /** A full box: its header, then version and 24 bits of flags. */
    public BoxWriter beginFull(String type, int version, int flags) {
        begin(type);
        u8(version);
        u24(flags);
        return this;
    }

    public BoxWriter end() {
        int start = open.pop();
        long size = len - start;
        if (size > 0xffffffffL) {
            throw new IllegalStateException("box over 4 GiB");
        }
        put32(start, size);
        return this;
    }

    public BoxWriter u8(int v) {
        ensure(1);
        buf[len++] = (byte) v;
        return this;
    }

    public BoxWriter u16(int v) {
        ensure(2);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
        return this;
    }

    public BoxWriter u24(int v) {
        ensure(3);
        buf[len++] = (byte) (v >>> 16);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
        return this;
    }

    public BoxWriter u32(long v) {
        ensure(4);
        put32(len, v);
        len += 4;
        return this;
    }

    public BoxWriter u64(long v) {
        u32(v >>> 32);
        return u32(v & 0xffffffffL);
    }

    public BoxWriter ascii(String s) {
        return bytes(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    public BoxWriter bytes(byte[] b) {
        return bytes(b, 0, b.length);
    }

    public BoxWriter bytes(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
        return this;
    }

    /** Overwrites 4 bytes already written (a data offset known only once later boxes are laid out). */
    public void put32(int at, long v) {
        buf[at] = (byte) (v >>> 24);
        buf[at + 1] = (byte) (v >>> 16);
        buf[at + 2] = (byte) (v >>> 8);
        buf[at + 3] = (byte) v;
    }

    public int length() {
        return len;
    }

    public byte[] toByteArray() {
        if (!open.isEmpty()) {
            throw new IllegalStateException(open.size() + " boxes not ended");
        }
        return Arrays.copyOf(buf, len);
    }

    private void ensure(int n) {
        if (len + n > buf.length) {
            long want = Math.max((long) buf.length * 2, (long) len + n);
            if (want > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("box data over 2 GiB");
            }
            buf = Arrays.copyOf(buf, (int) want);
        }
    }
}
