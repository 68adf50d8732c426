package dev.recingest.app;

import dev.recingest.client.ClientListener;
import dev.recingest.client.ClientOptions;
import dev.recingest.client.CloseStatus;
import dev.recingest.client.IngestClient;
import dev.recingest.protocol.Message;
import dev.recingest.protocol.Mode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

/**
 * A recorder for the failure tests: the real {@link IngestClient} (explicit seqs, resends, reconnect and
 * resume) sending a media file's byte ranges at a steady pace, and a listener that notes what a user of
 * the client would see: reconnects and their close codes, nacks, and when the first ack came after a resume.
 */
final class Recorder implements ClientListener {

    final List<CloseStatus> reconnectCauses = new CopyOnWriteArrayList<>();
    final AtomicInteger nacks = new AtomicInteger();
    /** Nacks that said the chunk may not be sent again (PROTOCOL.md: retryable false). */
    final AtomicInteger finalNacks = new AtomicInteger();
    final AtomicLong firstAckAfterResumeNanos = new AtomicLong();
    /** When each ack arrived (System.nanoTime()). */
    final List<Long> ackNanos = new CopyOnWriteArrayList<>();
    private volatile boolean resumed;

    /** Consecutive byte ranges of a file (stream mode), the last one shorter. */
    static List<byte[]> byteRanges(Path file, int size) throws IOException {
        byte[] all = Files.readAllBytes(file);
        List<byte[]> out = new ArrayList<>();
        for (int off = 0; off < all.length; off += size) {
            out.add(java.util.Arrays.copyOfRange(all, off, Math.min(all.length, off + size)));
        }
        return out;
    }

    static ClientOptions options(URI ingest, String token) {
        // Generous resends and reconnects: the failures below last seconds, not milliseconds.
        return ClientOptions.defaults(ingest, token)
                .withResend(40, Duration.ofMillis(250), Duration.ofSeconds(2))
                .withReconnectAttempts(10);
    }

    /**
     * Starts {@code id}, sends every chunk with seq = its position, one per {@code pace}, calls
     * {@code beforeSend} with each position first (where a test injects its failure), and stops.
     */
    Message.Stopped record(ClientOptions options, String id, String contentType, List<byte[]> chunks, Duration pace,
                           IntConsumer beforeSend) throws Exception {
        try (IngestClient client = new IngestClient(options, this)) {
            client.start(id, contentType, Mode.STREAM, null).get(60, TimeUnit.SECONDS);
            for (int i = 0; i < chunks.size(); i++) {
                beforeSend.accept(i);
                client.send(i, chunks.get(i));
                Thread.sleep(pace.toMillis());
            }
            return client.stop().get(120, TimeUnit.SECONDS);
        }
    }

    @Override
    public void onMessage(Message message) {
        if (message instanceof Message.Nack n) {
            nacks.incrementAndGet();
            if (!n.retryable()) {
                finalNacks.incrementAndGet();
            }
        } else if (message instanceof Message.Ack) {
            long now = System.nanoTime();
            ackNanos.add(now);
            if (resumed) {
                firstAckAfterResumeNanos.compareAndSet(0, now);
            }
        }
    }

    /** Acks that arrived between the two instants. */
    long acksBetween(long fromNanos, long toNanos) {
        return ackNanos.stream().filter(t -> t >= fromNanos && t < toNanos).count();
    }

    @Override
    public void onReconnecting(int attempt, CloseStatus cause) {
        reconnectCauses.add(cause);
    }

    @Override
    public void onResumed(Message.Started started) {
        resumed = true;
    }
}
