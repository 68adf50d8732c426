package dev.recingest.gateway;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Random frames for {@link FuzzIT}, drawn from one connection's seeded {@link Random}: chunks with random
 * seqs (new, resent, ahead), random bytes, truncated and oversize frames, valid, mutated and non-object
 * JSON, invalid UTF-8, pings and pongs, fragments in and out of order, reserved opcodes and bits, and
 * control frames that break the rules. Each call writes exactly one frame (or one fragmented message).
 */
final class FuzzFrames {

    private static final String[] CONTROL = {
        "{\"type\":\"start\",\"recordingId\":\"%s\",\"contentType\":\"video/webm\"}",
        "{\"type\":\"start\",\"contentType\":\"video/mp2t\",\"mode\":\"segments\",\"metadata\":{\"a\":[1,2,{\"b\":null}]}}",
        "{\"type\":\"stop\"}",
        "{\"type\":\"stop\",\"lastSeq\":%d}",
        "{\"type\":\"abort\"}",
        "{\"type\":\"ack\",\"seq\":1,\"index\":1,\"size\":1}",
        "{\"type\":\"start\",\"recordingId\":\"victim\",\"contentType\":\"video/webm\"}",
        "{\"type\":\"start\",\"recordingId\":\"../victim\",\"contentType\":\"video/webm\"}",
        "{\"type\":\"start\",\"recordingId\":\"fuzz-{victim}\",\"contentType\":\"video/webm\"}",
        "{\"type\":\"stop\",\"lastSeq\":99999999999999999999999}",
        "{\"type\":\"stop\",\"lastSeq\":-7}",
        "{\"type\":\"start\",\"recordingId\":\"%s\",\"contentType\":\"video/webm\",\"mode\":\"stream\",\"token\":\"x.y.z\"}",
    };
    private static final String[] NOT_OBJECTS = {"[]", "[1,2,3]", "\"start\"", "0", "-1e400", "null", "true", "",
        " ", "{", "}", "{\"type\":\"stop\"}{\"type\":\"stop\"}", "{\"type\":[\"stop\"]}", "{\"type\":{}}"};

    private final Random r;
    private final WireSocket w;
    private final String recordingId;
    private final int maxChunkBytes;
    private long nextSeq;
    int frames;

    FuzzFrames(Random r, WireSocket w, String recordingId, int maxChunkBytes) {
        this.r = r;
        this.w = w;
        this.recordingId = recordingId;
        this.maxChunkBytes = maxChunkBytes;
    }

    /** A frame a live connection survives: chunks with new, resent or ahead seqs, pings, pongs, fragments. */
    void benign() throws IOException {
        int k = r.nextInt(100);
        if (k < 45) {
            chunk(nextSeq++, payload(1 + r.nextInt(512)));
        } else if (k < 65) {
            chunk(nextSeq == 0 ? 0 : r.nextLong(nextSeq), payload(1 + r.nextInt(64))); // a resend
        } else if (k < 72) {
            chunk(nextSeq + 1 + r.nextInt(50), payload(1 + r.nextInt(64))); // ahead: SEQ_GAP
        } else if (k < 82) {
            send(true, 0, WireSocket.PING, payload(r.nextInt(126)));
        } else if (k < 88) {
            send(true, 0, WireSocket.PONG, payload(r.nextInt(126)));
        } else {
            fragmentedChunk(nextSeq++, payload(2 + r.nextInt(2048)));
        }
    }

    /** Any frame, most of which end the connection with a protocol error. */
    void hostile() throws IOException {
        switch (r.nextInt(20)) {
            case 0 -> send(true, 0, WireSocket.BINARY, payload(r.nextInt(64)));
            case 1 -> send(true, 0, WireSocket.BINARY, truncatedHeader());
            case 2 -> chunk(r.nextBoolean() ? r.nextLong() : Long.MAX_VALUE - r.nextInt(3), payload(1 + r.nextInt(16)));
            case 3 -> chunk(-1, payload(1 + r.nextInt(16))); // a seq mode mix once explicit seqs were used
            case 4 -> send(true, 0, WireSocket.BINARY, payload(maxChunkBytes + 10 + r.nextInt(100))); // over the max
            case 5 -> text(control());
            case 6 -> text(mutate(control()));
            case 7 -> text(NOT_OBJECTS[r.nextInt(NOT_OBJECTS.length)]);
            case 8 -> text("[".repeat(80 + r.nextInt(200)) + "]".repeat(r.nextInt(300)));
            case 9 -> text("{\"type\":\"stop\",\"pad\":\"" + "p".repeat((64 << 10) + r.nextInt(100)) + "\"}");
            case 10 -> send(true, 0, WireSocket.TEXT, invalidUtf8());
            case 11 -> send(true, 0, 3 + r.nextInt(5), payload(r.nextInt(20))); // reserved data opcode
            case 12 -> send(true, 0, 0xB + r.nextInt(5), payload(r.nextInt(20))); // reserved control opcode
            case 13 -> send(r.nextBoolean(), 1 + r.nextInt(7), WireSocket.BINARY, payload(10 + r.nextInt(20))); // RSV
            case 14 -> send(true, 0, WireSocket.PING, payload(126 + r.nextInt(200))); // control frame over 125
            case 15 -> send(false, 0, WireSocket.PING, payload(4)); // fragmented control frame
            case 16 -> send(true, 0, WireSocket.CONTINUATION, payload(1 + r.nextInt(20))); // continuation of nothing
            case 17 -> { // a data frame in the middle of a fragmented message
                send(false, 0, WireSocket.BINARY, header(nextSeq));
                send(true, 0, WireSocket.TEXT, "{\"type\":\"stop\"}".getBytes(StandardCharsets.UTF_8));
            }
            case 18 -> send(true, 0, WireSocket.CLOSE, payload(r.nextInt(6)));
            default -> send(true, 0, WireSocket.BINARY, new byte[0]);
        }
    }

    String control() {
        String t = CONTROL[r.nextInt(CONTROL.length)];
        return t.contains("%s") ? String.format(t, r.nextInt(4) == 0 ? "fuzz-" + r.nextInt(1000) : recordingId)
                : t.contains("%d") ? String.format(t, r.nextInt(100) - 5) : t;
    }

    private String mutate(String json) {
        StringBuilder b = new StringBuilder(json);
        int edits = 1 + r.nextInt(4);
        for (int i = 0; i < edits && b.length() > 0; i++) {
            int at = r.nextInt(b.length());
            switch (r.nextInt(3)) {
                case 0 -> b.deleteCharAt(at);
                case 1 -> b.insert(at, "{}[]\":,0-e\\ \u0000\u00e9\ud83d\ude00".charAt(r.nextInt(16)));
                default -> b.setCharAt(at, (char) (32 + r.nextInt(95)));
            }
        }
        return b.toString();
    }

    private byte[] invalidUtf8() {
        byte[][] bad = {{(byte) 0xc3, 0x28}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, {(byte) 0xc0, (byte) 0xaf},
            {(byte) 0xff}, {(byte) 0xe2, (byte) 0x82}, {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}};
        byte[] json = control().getBytes(StandardCharsets.UTF_8);
        byte[] b = bad[r.nextInt(bad.length)];
        int at = r.nextInt(json.length + 1);
        ByteBuffer out = ByteBuffer.allocate(json.length + b.length);
        out.put(json, 0, at).put(b).put(json, at, json.length - at);
        return out.array();
    }

    private void chunk(long seq, byte[] payload) throws IOException {
        send(true, 0, WireSocket.BINARY, ByteBuffer.allocate(9 + payload.length).put((byte) 1).putLong(seq)
                .put(payload).array());
    }

    private void fragmentedChunk(long seq, byte[] payload) throws IOException {
        byte[] whole = ByteBuffer.allocate(9 + payload.length).put((byte) 1).putLong(seq).put(payload).array();
        int cut = 1 + r.nextInt(whole.length - 1);
        send(false, 0, WireSocket.BINARY, java.util.Arrays.copyOfRange(whole, 0, cut));
        if (r.nextBoolean()) {
            send(true, 0, WireSocket.PING, payload(3)); // control frames may come between fragments
        }
        send(true, 0, WireSocket.CONTINUATION, java.util.Arrays.copyOfRange(whole, cut, whole.length));
    }

    private byte[] truncatedHeader() {
        byte[] b = payload(1 + r.nextInt(8));
        b[0] = 1;
        return b;
    }

    private byte[] header(long seq) {
        return ByteBuffer.allocate(9).put((byte) 1).putLong(seq).array();
    }

    void text(String s) throws IOException {
        send(true, 0, WireSocket.TEXT, s.getBytes(StandardCharsets.UTF_8));
    }

    private void send(boolean fin, int rsv, int opcode, byte[] payload) throws IOException {
        w.frame(fin, rsv, opcode, payload);
        frames++;
    }

    private byte[] payload(int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }
}
