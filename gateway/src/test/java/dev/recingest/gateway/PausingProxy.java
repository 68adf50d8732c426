package dev.recingest.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback (test code) in front of a real server, whose client-to-server direction the
 * test can hold: {@link #hold()} stops forwarding at once, {@link #holdAfter} after so many more bytes,
 * {@link #release()} lets everything through again. Server-to-client always flows. Its accepted sockets
 * have a small receive buffer, so a held client soon has its bytes waiting in its own memory rather than
 * in the kernel's.
 */
final class PausingProxy implements AutoCloseable {

    private static final int RECEIVE_BUFFER = 64 << 10;

    private final ServerSocket server;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private long allowance = Long.MAX_VALUE;
    private long forwarded;
    private boolean waiting;

    PausingProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        server = new ServerSocket();
        server.setReceiveBufferSize(RECEIVE_BUFFER);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread acceptor = new Thread(this::accept, "pausing-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Forwards nothing more from clients until {@link #release()}. */
    synchronized void hold() {
        allowance = 0;
    }

    /** Forwards {@code bytes} more from clients, then holds. */
    synchronized void holdAfter(long bytes) {
        allowance = bytes;
    }

    synchronized void release() {
        allowance = Long.MAX_VALUE;
        notifyAll();
    }

    /** Waits until the allowance is used up and a client's next bytes wait, up to {@code millis}. */
    synchronized boolean awaitHolding(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (!waiting) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    /** Bytes forwarded from clients to the server so far. */
    synchronized long forwarded() {
        return forwarded;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream, true);
                pump(upstream, client, false);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(Socket from, Socket to, boolean gated) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 << 10];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    for (int off = 0; off < n; ) {
                        int m = gated ? admit(n - off) : n - off;
                        out.write(buf, off, m);
                        out.flush();
                        off += m;
                    }
                }
            } catch (IOException | InterruptedException e) {
                // one side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "pausing-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Waits for an allowance and takes up to {@code max} bytes of it. */
    private synchronized int admit(int max) throws InterruptedException {
        while (allowance == 0) {
            if (!waiting) {
                waiting = true;
                notifyAll(); // wakes awaitHolding; only once, or the waiting pumps would wake each other for ever
            }
            wait();
        }
        waiting = false;
        int n = (int) Math.min(max, allowance);
        if (allowance != Long.MAX_VALUE) {
            allowance -= n;
        }
        forwarded += n;
        return n;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        sockets.forEach(PausingProxy::closeQuietly);
        synchronized (this) {
            allowance = Long.MAX_VALUE;
            notifyAll();
        }
    }
}
