package dev.recingest.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.client.ClientException;
import dev.recingest.client.ClientListener;
import dev.recingest.client.ClientOptions;
import dev.recingest.client.CloseStatus;
import dev.recingest.client.IngestClient;
import dev.recingest.protocol.CloseCodes;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.Message;
import dev.recingest.protocol.Mode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a recording's spooled segments: one chunk per segment, in {@code segments} mode, with the
 * seq the spool gave it, through an {@link IngestClient} (its window, resends and resume). A segment
 * leaves the spool when its ack arrives. When a client gives up (the gateways were unreachable for
 * longer than its reconnects), a new one resumes the recording and resends every segment still in the
 * spool, so an outage of any length loses nothing as long as the spool has room.
 *
 * <p>Segments are taken in order from one queue by one thread. Before a segment the spool marks as the
 * start of a part (the first of a new FFmpeg run), it sends {@code part} and waits for the answer
 * (PROTOCOL.md, "part"); marks the gateway has already passed are dropped when a session opens.
 *
 * <p>Past 300 lines because the one sending thread's loop, its waits for acks and part answers, and the
 * hand-over to a new client after one gave up are one sequence that is checked by reading it in order.
 */
final class Uploader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Uploader.class);
    /** Codes after which resuming cannot help: the recording was taken over or stopped, or we are not allowed. */
    private static final Set<Integer> FATAL_CLOSES = Set.of(CloseCodes.NOT_OPEN, 4401, 4403, 4400, 1009);
    private static final Object END = new Object();

    private final ClientOptions options;
    private final String recordingId;
    private final String contentType;
    private final JsonNode metadata;
    private final Spool spool;
    private final String extension;
    private final AgentMetrics metrics;
    private final Duration sessionBackoffCap;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final ExecutorService ackWork;
    private volatile IngestClient client;
    private volatile ClientException fatal;
    private volatile Thread sender;
    private long nextToSend;
    private int sessions;

    Uploader(ClientOptions options, String recordingId, String contentType, JsonNode metadata, Spool spool,
             String extension, AgentMetrics metrics) {
        this.options = options;
        this.recordingId = recordingId;
        this.contentType = contentType;
        this.metadata = metadata;
        this.spool = spool;
        this.extension = extension;
        this.metrics = metrics;
        this.sessionBackoffCap = options.maxBackoff().multipliedBy(2);
        this.ackWork = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "agent-acks-" + recordingId);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts (or resumes) the recording and returns the gateway's {@code nextSeq}. Tries
     * {@code attempts} times with backoff while the gateway cannot be reached.
     */
    long open(int attempts) throws InterruptedException {
        ClientException last = null;
        for (int i = 1; i <= attempts; i++) {
            try {
                return newSession();
            } catch (ClientException e) {
                if (isFatal(e)) {
                    throw e;
                }
                last = e;
                LOG.atWarn().addKeyValue("recording", recordingId).addKeyValue("attempt", i).addKeyValue("error", e.getMessage())
                        .log("gateway unreachable");
                Thread.sleep(backoff(i).toMillis());
            }
        }
        throw last;
    }

    /**
     * Starts sending in the background: first what the spool holds from before, in seq order; call it
     * before enqueueing anything newer.
     */
    void startSending() throws IOException {
        for (Spool.Segment s : spool.pending()) {
            queue.add(s);
        }
        Thread t = new Thread(this::sendLoop, "agent-uploader-" + recordingId);
        t.setDaemon(true);
        sender = t;
        t.start();
    }

    void enqueue(Spool.Segment s) {
        queue.add(s);
    }

    /** Why delivery stopped for good, if it did: the recorder stops the source and exits with it. */
    ClientException fatal() {
        return fatal;
    }

    /**
     * Delivers everything queued, then stops the recording. Returns {@code stopped}; throws the fatal
     * failure if delivery had stopped, or a timeout. A gateway without parts is the exception: the
     * recording is stopped with what it holds (the segments of the part it could not take stay in the
     * spool), and {@link #fatal()} says why.
     */
    Message.Stopped finish(Duration timeout) throws InterruptedException, TimeoutException {
        queue.add(END);
        long deadline = System.nanoTime() + timeout.toNanos();
        Thread t = sender;
        if (t != null) {
            t.join(Math.max(1, timeout.toMillis()));
            if (t.isAlive()) {
                throw new TimeoutException("segments still unacked after " + timeout);
            }
        }
        if (fatal != null && !ClientException.PARTS_UNSUPPORTED.equals(fatal.code())) {
            throw fatal;
        }
        for (int round = 1; ; round++) {
            try {
                IngestClient c = ensureSession();
                long left = deadline - System.nanoTime();
                Message.Stopped stopped = c.stop(seq -> spool.read(seq, extension)).get(Math.max(1, left),
                        TimeUnit.NANOSECONDS);
                // The acks' spool deletions run on their own thread: let them finish before the spool is read.
                ackWork.submit(() -> { }).get(10, TimeUnit.SECONDS);
                return stopped;
            } catch (ExecutionException e) {
                ClientException ce = asClientException(e.getCause());
                if (isFatal(ce) || System.nanoTime() > deadline) {
                    throw ce;
                }
                LOG.atWarn().addKeyValue("recording", recordingId).addKeyValue("attempt", round).addKeyValue("error", ce.getMessage())
                        .log("stop failed, retrying");
                Thread.sleep(backoff(round).toMillis());
            }
        }
    }

    private void sendLoop() {
        try {
            while (true) {
                Object item = queue.take();
                if (item == END) {
                    return;
                }
                deliver(item);
                if (fatal != null) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void deliver(Object item) throws InterruptedException {
        for (int attempt = 1; fatal == null; attempt++) {
            try {
                send(ensureSession(), (Spool.Segment) item);
                return;
            } catch (ClientException e) {
                ClientException ce = e;
                if (ClientException.PARTS_UNSUPPORTED.equals(ce.code())) {
                    fatal = ce;
                    LOG.atError().addKeyValue("recording", recordingId).addKeyValue("code", ce.code())
                            .addKeyValue("error", ce.getMessage())
                            .log("parts unsupported by the gateway; stopping with what it has, the new part stays in the spool");
                    return;
                }
                if (isFatal(ce)) {
                    fatal = ce;
                    LOG.atError().addKeyValue("recording", recordingId).addKeyValue("code", ce.code())
                            .addKeyValue("closeCode", ce.closeCode()).addKeyValue("error", ce.getMessage())
                            .log("delivery stopped");
                    return;
                }
                LOG.atWarn().addKeyValue("recording", recordingId).addKeyValue("attempt", attempt).addKeyValue("error", ce.getMessage())
                        .log("session lost");
                Thread.sleep(backoff(attempt).toMillis());
            }
        }
    }

    private void send(IngestClient c, Spool.Segment s) {
        if (s.seq() < nextToSend) {
            return; // already sent by a resume of the whole spool
        }
        if (spool.isPartStart(s.seq())) {
            startPart(c, s.seq());
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(s.file());
        } catch (java.nio.file.NoSuchFileException e) {
            return; // acked meanwhile: a resend after a resume raced with the old session's ack
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read spooled segment " + s.file(), e);
        }
        nextToSend = s.seq() + 1;
        c.send(s.seq(), bytes).thenAcceptAsync(ack -> {
            spool.clearPartStart(s.seq());
            spool.delete(s);
            metrics.acked(s.size());
        }, ackWork);
    }

    /** Sends {@code part} before {@code firstSeq}; waits for its answer (and so for every earlier ack). */
    private void startPart(IngestClient c, long firstSeq) {
        try {
            Message.PartStarted p = c.part().get();
            metrics.part();
            LOG.atInfo().addKeyValue("recording", recordingId).addKeyValue("part", p.part()).addKeyValue("seq", p.firstSeq())
                    .log("part started");
        } catch (ExecutionException e) {
            throw asClientException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ClientException.of(ClientException.INTERRUPTED, "interrupted while starting a part at " + firstSeq);
        }
    }

    /** The current client, or a new one that resumed the recording and resent the whole spool. */
    private IngestClient ensureSession() {
        IngestClient c = client;
        if (c != null && c.failure().isEmpty()) {
            return c;
        }
        if (c != null) {
            ClientException why = c.failure().get();
            if (isFatal(why)) {
                throw why;
            }
        }
        newSession();
        try {
            for (Spool.Segment s : spool.pending()) {
                nextToSend = Math.min(nextToSend, s.seq());
                send(client, s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return client;
    }

    private long newSession() {
        IngestClient old = client;
        if (old != null) {
            old.close();
        }
        IngestClient c = new IngestClient(options, new ClientListener() {
            @Override
            public void onReconnecting(int attempt, CloseStatus cause) {
                LOG.atWarn().addKeyValue("recording", recordingId).addKeyValue("attempt", attempt)
                        .addKeyValue("reason", String.valueOf(cause)).log("gateway connection lost, reconnecting");
            }
        });
        try {
            Message.Started started = c.start(recordingId, contentType, Mode.SEGMENTS, metadata).get();
            sessions++;
            client = c;
            spool.clearPartStartsBelow(started.nextSeq());
            LOG.atInfo().addKeyValue("recording", recordingId).addKeyValue("session", sessions)
                    .addKeyValue("nextSeq", started.nextSeq()).addKeyValue("resumed", started.resumed()).log("session opened");
            return started.nextSeq();
        } catch (ExecutionException e) {
            c.close();
            throw asClientException(e.getCause());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            c.close();
            Thread.currentThread().interrupt();
            throw ClientException.of(ClientException.INTERRUPTED, "interrupted while starting the session");
        }
    }

    private Duration backoff(int attempt) {
        Duration d = options.backoff(attempt);
        return d.compareTo(sessionBackoffCap) > 0 ? sessionBackoffCap : d;
    }

    static boolean isFatal(ClientException e) {
        return FATAL_CLOSES.contains(e.closeCode()) || e.errorCode() == ErrorCode.NOT_OPEN || e.errorCode() == ErrorCode.BAD_REQUEST
                || ClientException.CANNOT_RESEND.equals(e.code())
                || (ClientException.CONNECT_FAILED.equals(e.code()) && (e.httpStatus() == 401 || e.httpStatus() == 403));
    }

    private static ClientException asClientException(Throwable t) {
        if (t instanceof ClientException ce) {
            return ce;
        }
        return new ClientException("INTERNAL", String.valueOf(t), null, null, 0, t);
    }

    long acked() {
        IngestClient c = client;
        return c == null ? 0 : c.ackedChunks();
    }

    @Override
    public void close() {
        Thread t = sender;
        if (t != null) {
            t.interrupt();
        }
        IngestClient c = client;
        if (c != null) {
            c.close();
        }
        ackWork.shutdown();
    }
}
