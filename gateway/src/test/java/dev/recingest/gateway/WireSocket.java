package dev.recingest.gateway;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Random;

/**
 * A WebSocket client written on a plain socket, for what a well-behaved client library will not do:
 * stay silent, send half a request, never answer a ping, set reserved bits, use reserved opcodes, send
 * invalid UTF-8, or frames that lie about their length. Frames are masked, as a client's must be.
 */
final class WireSocket implements AutoCloseable {

    static final int CONTINUATION = 0x0, TEXT = 0x1, BINARY = 0x2, CLOSE = 0x8, PING = 0x9, PONG = 0xA;

    /** A frame from the gateway. */
    record Frame(int opcode, byte[] payload) {
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Random masks;

    private WireSocket(int port, Random masks) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(20_000);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        this.masks = masks;
    }

    static WireSocket connect(int port) throws IOException {
        return new WireSocket(port, new Random());
    }

    static WireSocket connect(int port, Random masks) throws IOException {
        return new WireSocket(port, masks);
    }

    /** Sends the upgrade request and returns the status line and headers of the answer. */
    String upgrade(String path, Map<String, String> headers) throws IOException {
        StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(new byte[16]) + "\r\n");
        headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        req.append("\r\n");
        raw(req.toString().getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("closed during the upgrade: " + head.toString(StandardCharsets.US_ASCII));
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    void raw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** One frame, masked; {@code rsv} goes into bits 4-6 of the first byte as it is. */
    void frame(boolean fin, int rsv, int opcode, byte[] payload) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(14 + payload.length);
        b.put((byte) ((fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0xf)));
        if (payload.length < 126) {
            b.put((byte) (0x80 | payload.length));
        } else if (payload.length < 65536) {
            b.put((byte) (0x80 | 126)).putShort((short) payload.length);
        } else {
            b.put((byte) (0x80 | 127)).putLong(payload.length);
        }
        byte[] mask = new byte[4];
        masks.nextBytes(mask);
        b.put(mask);
        for (int i = 0; i < payload.length; i++) {
            b.put((byte) (payload[i] ^ mask[i & 3]));
        }
        raw(java.util.Arrays.copyOf(b.array(), b.position()));
    }

    /**
     * Only the header of a frame that announces {@code length} bytes of payload (masked; the payload the
     * test may then send with {@link #raw} is not masked, which only matters for a frame the gateway reads).
     */
    void header(boolean fin, int opcode, long length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(14);
        b.put((byte) ((fin ? 0x80 : 0) | (opcode & 0xf)));
        if (length < 126) {
            b.put((byte) (0x80 | length));
        } else if (length < 65536) {
            b.put((byte) (0x80 | 126)).putShort((short) length);
        } else {
            b.put((byte) (0x80 | 127)).putLong(length);
        }
        byte[] mask = new byte[4];
        masks.nextBytes(mask);
        b.put(mask);
        raw(java.util.Arrays.copyOf(b.array(), b.position()));
    }

    void text(String s) throws IOException {
        frame(true, 0, TEXT, s.getBytes(StandardCharsets.UTF_8));
    }

    void binary(byte[] payload) throws IOException {
        frame(true, 0, BINARY, payload);
    }

    void close(int code) throws IOException {
        frame(true, 0, CLOSE, new byte[] {(byte) (code >> 8), (byte) code});
    }

    /** The next frame from the gateway; EOFException when it closed the connection. */
    Frame read() throws IOException {
        int b0 = readByte();
        int b1 = readByte();
        long len = b1 & 0x7f;
        if (len == 126) {
            len = (readByte() << 8) | readByte();
        } else if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; i++) {
                len = (len << 8) | readByte();
            }
        }
        byte[] payload = in.readNBytes((int) len);
        if (payload.length < len) {
            throw new EOFException("frame cut short");
        }
        return new Frame(b0 & 0xf, payload);
    }

    /** The next frame from the gateway that is not a ping. */
    Frame readSkippingPings() throws IOException {
        Frame f;
        while ((f = read()).opcode() == PING) {
            // the gateway's keepalive
        }
        return f;
    }

    /** Reads (and ignores pings and messages) until the gateway's close frame; its code, or -1 on a bare EOF. */
    int awaitClose() throws IOException {
        try {
            while (true) {
                Frame f = read();
                if (f.opcode() == CLOSE) {
                    return f.closeCode();
                }
            }
        } catch (EOFException e) {
            return -1;
        }
    }

    /** True once the gateway has closed the connection (EOF or reset), waiting up to {@code millis}. */
    boolean closedWithin(int millis) throws IOException {
        int previous = socket.getSoTimeout();
        socket.setSoTimeout(millis);
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // a reset
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(previous);
            }
        }
    }

    /** Everything until the gateway closes the connection. */
    byte[] readAll() throws IOException {
        return in.readAllBytes();
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException();
        }
        return b;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
