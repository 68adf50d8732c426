package dev.recingest.agent.push;

import dev.recingest.client.ClientException;
import dev.recingest.client.ClientListener;
import dev.recingest.client.ClientOptions;
import dev.recingest.client.CloseStatus;
import dev.recingest.client.IngestClient;
import dev.recingest.client.admin.AdminClient;
import dev.recingest.client.admin.RecordingStatus;
import dev.recingest.media.FfmpegBinaries;
import dev.recingest.protocol.Message;
import dev.recingest.protocol.Mode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes one local media file as one recording: cut it into chunks, send them with seqs 0..N-1, stop,
 * and (optionally) wait until the merge is done. Chunk {@code i} always gets seq {@code i}, so running
 * the same push again with the same recording id resumes it: chunks the gateway holds are acked again
 * and not stored twice.
 */
public final class RecordingPusher {

    private static final Logger LOG = LoggerFactory.getLogger(RecordingPusher.class);
    private static final long PROGRESS_EVERY_NANOS = Duration.ofSeconds(5).toNanos();

    private final ClientOptions clientOptions;
    private final AdminClient admin;

    /** @param admin null when merges are never awaited */
    public RecordingPusher(ClientOptions clientOptions, AdminClient admin) {
        this.clientOptions = clientOptions;
        this.admin = admin;
    }

    /**
     * Pushes {@code request.file()}. Throws {@link ClientException} when the gateway refuses or the
     * connection cannot be kept; a merge that FAILED is a normal result with {@code state = FAILED}.
     */
    public PushResult push(PushRequest request) throws IOException, InterruptedException {
        if (request.waitForMerge() && admin == null) {
            throw new IllegalArgumentException("waiting for the merge needs an AdminClient");
        }
        try (ChunkSource source = open(request)) {
            return push(source, request);
        }
    }

    /** Pushes an already opened source; the caller closes it. */
    public PushResult push(ChunkSource source, PushRequest request) throws InterruptedException {
        long t0 = System.nanoTime();
        Message.Stopped stopped;
        try (IngestClient client = new IngestClient(clientOptions, new ReconnectLog())) {
            Message.Started started = await(client.start(request.recordingId(), source.contentType(),
                    source.mode(), request.metadata()));
            String id = started.recordingId();
            if (started.resumed()) {
                LOG.atInfo().addKeyValue("recording", id).addKeyValue("chunks", started.nextSeq())
                        .log("recording exists, resuming: chunks it holds are only acked again");
            }
            LOG.atInfo().addKeyValue("recording", id).addKeyValue("file", request.file().getFileName())
                    .addKeyValue("chunks", source.count()).addKeyValue("bytes", source.totalBytes())
                    .addKeyValue("mode", source.mode().wire()).addKeyValue("contentType", source.contentType())
                    .log("push started");
            long lastLog = System.nanoTime();
            for (int i = 0; i < source.count(); i++) {
                client.send(i, read(source, i));
                if (System.nanoTime() - lastLog > PROGRESS_EVERY_NANOS) {
                    lastLog = System.nanoTime();
                    LOG.atInfo().addKeyValue("recording", id).addKeyValue("sent", i + 1).addKeyValue("chunks", source.count())
                            .addKeyValue("acked", client.ackedChunks()).addKeyValue("ackedBytes", client.ackedBytes())
                            .log("push progress");
                }
            }
            stopped = await(client.stop(seq -> seq < source.count() ? read(source, (int) seq) : null));
        }
        Duration pushTime = Duration.ofNanos(System.nanoTime() - t0);
        LOG.atInfo().addKeyValue("recording", stopped.recordingId()).addKeyValue("durationMs", pushTime.toMillis())
                .addKeyValue("chunks", stopped.chunks()).addKeyValue("bytes", stopped.bytes()).log("push stopped");
        if (!request.waitForMerge()) {
            return new PushResult(stopped.recordingId(), stopped.chunks(), stopped.bytes(), "STOPPED", null, null,
                    pushTime);
        }
        RecordingStatus s = admin.awaitFinal(stopped.recordingId(), request.mergeTimeout(),
                AdminClient.DEFAULT_POLL_INTERVAL);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
        if (s.isCompleted()) {
            LOG.atInfo().addKeyValue("recording", s.recordingId())
                    .addKeyValue("output", s.output() == null ? null : s.output().key())
                    .addKeyValue("bytes", s.output() == null ? null : s.output().size())
                    .addKeyValue("durationSeconds", s.output() == null ? null : s.output().durationSeconds())
                    .log("recording completed");
        } else {
            LOG.atWarn().addKeyValue("recording", s.recordingId()).addKeyValue("state", s.state())
                    .addKeyValue("error", String.valueOf(s.error())).log("recording not completed");
        }
        return new PushResult(stopped.recordingId(), stopped.chunks(), stopped.bytes(), s.state(), s.output(),
                s.error(), elapsed);
    }

    private static ChunkSource open(PushRequest request) throws IOException, InterruptedException {
        if (request.mode() == Mode.SEGMENTS) {
            return SegmentSource.cut(request.file(), request.segmentTime(), FfmpegBinaries.locate().ffmpeg(),
                    request.cutTimeout());
        }
        return new ByteRangeSource(request.file(), request.chunkSize(), request.contentType());
    }

    private static byte[] read(ChunkSource source, int index) {
        try {
            return source.read(index);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read chunk " + index, e);
        }
    }

    /** Waits for a client future, rethrowing its failure (a ClientException, mostly) as it is. */
    private static <T> T await(CompletableFuture<T> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(c);
        }
    }

    /** Says in the log when the connection is being resumed, which is otherwise invisible. */
    private static final class ReconnectLog implements ClientListener {
        @Override
        public void onReconnecting(int attempt, CloseStatus cause) {
            LOG.atWarn().addKeyValue("reason", String.valueOf(cause)).addKeyValue("attempt", attempt).log("connection lost, reconnecting");
        }

        @Override
        public void onResumed(Message.Started started) {
            LOG.atInfo().addKeyValue("recording", started.recordingId()).log("recording resumed on a new connection");
        }
    }
}
