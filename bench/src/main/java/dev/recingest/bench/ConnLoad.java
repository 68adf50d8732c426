package dev.recingest.bench;

import io.netty.util.concurrent.ScheduledFuture;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The connections benchmark's load generator: thousands of recordings on raw Netty WebSockets sharing one
 * small event loop group (a JDK WebSocket per recording would cost a thread pool's worth of objects each).
 * Opens recordings in batches with a bounded number of handshakes in flight, keeps them open, and on
 * request makes each send a small chunk at a fixed interval with a random phase.
 */
final class ConnLoad implements AutoCloseable {

    /** One ramp to a connection count: how many opened, why the others did not, and how long it took. */
    record Opened(int ok, int failed, Map<String, Integer> reasons, long millis) {
    }

    private final WsConnector connector;
    private final URI uri;
    private final String token;
    private final String idPrefix;
    private final List<ConnRecorder> recorders = new ArrayList<>();
    private final List<ScheduledFuture<?>> ticking = new ArrayList<>();
    final LongAdder offered = new LongAdder();
    final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    volatile Stats stats = new Stats();
    private int attempted;

    ConnLoad(URI uri, String token, String idPrefix, int threads) {
        this.uri = uri;
        this.token = token;
        this.idPrefix = idPrefix;
        connector = new WsConnector(threads);
    }

    /**
     * Opens recordings until {@code target} were attempted in all, at most {@code parallel} handshakes at a
     * time, each given {@code timeoutMillis} from connect to {@code started}.
     */
    Opened openUpTo(int target, int parallel, long timeoutMillis) throws InterruptedException {
        long t0 = System.nanoTime();
        Semaphore permits = new Semaphore(parallel);
        Map<String, Integer> reasons = new ConcurrentHashMap<>();
        LongAdder ok = new LongAdder();
        LongAdder failed = new LongAdder();
        int first = attempted;
        for (int i = first; i < target; i++) {
            permits.acquire();
            ConnRecorder r = open(idPrefix + i, timeoutMillis);
            recorders.add(r);
            r.started.whenComplete((v, e) -> {
                if (e == null) {
                    ok.increment();
                } else {
                    failed.increment();
                    reasons.merge(reason(e), 1, Integer::sum);
                    if (r.channel() != null) {
                        r.channel().close();
                    }
                }
                permits.release();
            });
        }
        attempted = Math.max(attempted, target);
        permits.acquire(parallel); // every attempt of this ramp has ended
        permits.release(parallel);
        return new Opened(ok.intValue(), failed.intValue(), new TreeMap<>(reasons), (System.nanoTime() - t0) / 1_000_000);
    }

    private ConnRecorder open(String recordingId, long timeoutMillis) {
        ConnRecorder r = new ConnRecorder(recordingId, token, this);
        connector.connect(uri, timeoutMillis, r, r.started::completeExceptionally);
        connector.group.schedule(() -> r.started.completeExceptionally(new java.util.concurrent.TimeoutException(
                "no started within " + timeoutMillis + " ms")), timeoutMillis, TimeUnit.MILLISECONDS);
        return r;
    }

    private static String reason(Throwable e) {
        Throwable c = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        String m = c.getMessage() == null ? "" : c.getMessage().replaceAll("[0-9.:/]+:[0-9]+", "");
        return c.getClass().getSimpleName() + (m.isEmpty() ? "" : ": " + (m.length() > 60 ? m.substring(0, 60) : m));
    }

    /** Recordings that answered {@code started} and are still open. */
    int open() {
        return (int) recorders.stream().filter(r -> r.isOpen() && r.started.isDone()
                && !r.started.isCompletedExceptionally()).count();
    }

    /** How the connections that ended, ended: close code to count (1006 = without a close frame). */
    Map<Integer, Integer> closeCodes() {
        Map<Integer, Integer> codes = new TreeMap<>();
        for (ConnRecorder r : recorders) {
            if (r.closeCode() != 0) {
                codes.merge(r.closeCode(), 1, Integer::sum);
            }
        }
        return codes;
    }

    /** Every open recording sends a {@code chunkBytes} chunk every {@code intervalMillis}, random phase. */
    void startTicking(long intervalMillis, int chunkBytes) {
        byte[] payload = new byte[chunkBytes];
        new Random(42).nextBytes(payload);
        Stats s = stats;
        for (ConnRecorder r : recorders) {
            if (r.isOpen()) {
                long phase = ThreadLocalRandom.current().nextLong(intervalMillis);
                ticking.add(r.channel().eventLoop().scheduleAtFixedRate(() -> r.tick(payload, s), phase,
                        intervalMillis, TimeUnit.MILLISECONDS));
            }
        }
    }

    void stopTicking() {
        ticking.forEach(f -> f.cancel(false));
        ticking.clear();
    }

    @Override
    public void close() {
        stopTicking();
        for (ConnRecorder r : recorders) {
            if (r.channel() != null) {
                r.channel().close();
            }
        }
        connector.close();
    }
}
