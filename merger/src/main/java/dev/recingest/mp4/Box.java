package dev.recingest.mp4;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One box inside a byte array: its four-character type and where its header, body and end are.
 *
 * @param type      the four-character code, such as {@code moov}
 * @param start     offset of the box's size field
 * @param bodyStart offset of the first byte after the header (size, type, and a 64-bit size if any)
 * @param end       offset just past the box
 */
public record Box(String type, int start, int bodyStart, int end) {

    public int size() {
        return end - start;
    }

    /** The boxes laid end to end in {@code b[from, to)}; a box that claims to reach past {@code to} is an error. */
    public static List<Box> children(byte[] b, int from, int to) {
        List<Box> out = new ArrayList<>();
        int at = from;
        while (at + 8 <= to) {
            long size = u32(b, at);
            String type = new String(b, at + 4, 4, StandardCharsets.ISO_8859_1);
            int header = 8;
            if (size == 1) {
                if (at + 16 > to) {
                    throw new MalformedMp4("truncated 64-bit size of box " + type + " at " + at);
                }
                size = u64(b, at + 8);
                header = 16;
            } else if (size == 0) {
                size = to - at;
            }
            if (size < header || at + size > to) {
                throw new MalformedMp4("box " + type + " at " + at + " claims " + size + " bytes, " + (to - at) + " left");
            }
            out.add(new Box(type, at, at + header, (int) (at + size)));
            at += (int) size;
        }
        if (at != to) {
            throw new MalformedMp4((to - at) + " stray bytes after the last box at " + at);
        }
        return out;
    }

    /** The boxes inside this one (for container boxes). */
    public List<Box> children(byte[] b) {
        return children(b, bodyStart, end);
    }

    /** The first child of this box of the given type. */
    public Optional<Box> child(byte[] b, String childType) {
        return children(b).stream().filter(c -> c.type.equals(childType)).findFirst();
    }

    /** The first child of the given type, or an error naming what is missing. */
    public Box require(byte[] b, String childType) {
        return child(b, childType).orElseThrow(() -> new MalformedMp4(type + " has no " + childType));
    }

    /** The path of first children {@code types[0]/types[1]/…} below this box, if every step exists. */
    public Optional<Box> path(byte[] b, String... types) {
        Box at = this;
        for (String t : types) {
            Optional<Box> next = at.child(b, t);
            if (next.isEmpty()) {
                return Optional.empty();
            }
            at = next.get();
        }
        return Optional.of(at);
    }

    /** A copy of the whole box, header included. */
    public byte[] copy(byte[] b) {
        return java.util.Arrays.copyOfRange(b, start, end);
    }

    public static long u32(byte[] b, int at) {
        return ((b[at] & 0xffL) << 24) | ((b[at + 1] & 0xffL) << 16) | ((b[at + 2] & 0xffL) << 8) | (b[at + 3] & 0xffL);
    }

    public static int s32(byte[] b, int at) {
        return (int) u32(b, at);
    }

    public static long u64(byte[] b, int at) {
        return (u32(b, at) << 32) | u32(b, at + 4);
    }

    public static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    public static int u24(byte[] b, int at) {
        return ((b[at] & 0xff) << 16) | ((b[at + 1] & 0xff) << 8) | (b[at + 2] & 0xff);
    }
}
