package dev.recingest.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on 127.0.0.1 that slows one direction down: bytes from its clients to the target (request
 * bodies, for an S3 server behind it) pass at most {@code bytesPerSecond}, shared by all connections;
 * answers pass at full speed. Two threads per connection; enough for a test.
 */
final class ThrottlingProxy implements AutoCloseable {

    private static final int BUFFER = 16 << 10;
    /** Idle time that may be made up later, so that late wake-ups from sleep do not lower the rate. */
    private static final long CATCH_UP_NANOS = 100_000_000L;

    private final ServerSocket server;
    private final int targetPort;
    private final long bytesPerSecond;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private long nextSendNanos = System.nanoTime();
    private volatile boolean paused;

    ThrottlingProxy(int targetPort, long bytesPerSecond) throws IOException {
        this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        this.targetPort = targetPort;
        this.bytesPerSecond = bytesPerSecond;
        this.acceptor = new Thread(this::accept, "throttling-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(target);
                pump(client, target, true);
                pump(target, client, false);
            } catch (IOException e) {
                if (!server.isClosed()) {
                    System.err.println("throttling proxy: " + e);
                }
            }
        }
    }

    private void pump(Socket from, Socket to, boolean throttled) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[BUFFER];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    if (throttled) {
                        while (paused) {
                            Thread.sleep(20);
                        }
                        pace(n);
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException closed) {
                // one side went away: close both
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "throttling-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Holds every byte towards the target until {@link #resume}: the target looks hung, its connections stay open. */
    void pause() {
        paused = true;
    }

    void resume() {
        paused = false;
    }

    /** Waits until {@code n} more bytes fit the shared rate. */
    private void pace(int n) throws InterruptedException {
        long sendAt;
        synchronized (this) {
            long now = System.nanoTime();
            nextSendNanos = Math.max(nextSendNanos, now - CATCH_UP_NANOS) + n * 1_000_000_000L / bytesPerSecond;
            sendAt = nextSendNanos;
        }
        long wait = sendAt - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(ThrottlingProxy::closeQuietly);
    }
}
