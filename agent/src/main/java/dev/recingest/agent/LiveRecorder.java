package dev.recingest.agent;

import dev.recingest.client.ClientException;
import dev.recingest.client.ClientOptions;
import dev.recingest.protocol.Message;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records one live source until it should stop, then stops the recording. The loop: start an FFmpeg run,
 * adopt each segment it finishes into the spool and hand it to the {@link Uploader}; when the run's output
 * stops moving for the stall timeout, or FFmpeg exits, that is a drop: log it, count it, reconnect after a
 * backoff, and begin a new part with the next run (its timestamps start over). The recording ends when
 * the source has ended (a file; an HLS playlist with {@code #EXT-X-ENDLIST}), has produced nothing for
 * the source timeout, has reached the maximum duration, when {@link #requestStop()} is called (SIGTERM),
 * when the spool is full, or when delivery failed for good. A gap is never a failed recording.
 *
 * <p>Long because the loop and its exits are one decision table, best read together; the pieces it
 * drives (FFmpeg, spool, uploader) are their own classes.
 */
public final class LiveRecorder implements Callable<LiveRecorder.Outcome> {

    /** Why the recording ended. */
    public enum Reason {
        SOURCE_ENDED, SOURCE_GONE, SOURCE_UNSUPPORTED, MAX_DURATION, STOP_REQUESTED, SPOOL_FULL, DELIVERY_FAILED
    }

    /**
     * @param stopped the gateway's {@code stopped}, or null when the recording could not be stopped
     * @param error   why not, or null
     */
    public record Outcome(String recordingId, Reason reason, Message.Stopped stopped, long segments, long parts,
                          long drops, String error) {
        /**
         * Stopped with everything recorded delivered; the reason may still be a full spool or a gone
         * source, which the log explains.
         */
        public boolean stoppedCleanly() {
            return stopped != null && error == null;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(LiveRecorder.class);
    private static final Duration POLL = Duration.ofMillis(200);
    /** Longer than RTP's own 10 s timeout, after which FFmpeg finishes by itself (FfmpegRun#stop). */
    private static final Duration FFMPEG_GRACE = Duration.ofSeconds(12);
    private static final int START_ATTEMPTS = 8;

    private final RecordingJob job;
    private final AgentOptions options;
    private final ClientOptions clientOptions;
    private final MeterRegistry registry;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final String id;

    private Spool spool;
    private AgentMetrics metrics;
    private Uploader uploader;
    private SegmentPlan plan;
    private boolean planConfirmed;
    private long nextSeq = -1;
    private long segments;
    private long partsStarted;
    private long drops;
    private long recordedMicros;

    public LiveRecorder(RecordingJob job, AgentOptions options, ClientOptions clientOptions, MeterRegistry registry) {
        this.job = job;
        this.options = options;
        this.clientOptions = clientOptions;
        this.registry = registry;
        this.id = job.recordingId();
    }

    /** Ends the recording soon: FFmpeg finishes its segment, the spool is delivered, the recording stopped. */
    public void requestStop() {
        stop.countDown();
    }

    @Override
    public Outcome call() throws Exception {
        spool = Spool.open(options.spoolRoot(), id, options.spoolMaxBytes());
        metrics = new AgentMetrics(registry, id, spool);
        for (Path run : spool.runDirs()) {
            FfmpegRun.endLeftover(run);
        }
        choosePlanBeforeRunning();
        LOG.atInfo().addKeyValue("recording", id).addKeyValue("source", String.valueOf(job.source()))
                .addKeyValue("spool", spool.dir()).addKeyValue("plan", planConfirmed ? plan : "from the source's codecs")
                .log("recording started");
        Reason reason;
        try {
            if (planConfirmed) {
                openSession(null);
            }
            reason = record();
        } catch (ClientException e) {
            LOG.atError().addKeyValue("recording", id).addKeyValue("code", e.code()).addKeyValue("error", e.getMessage())
                    .log("recording failed");
            close();
            return new Outcome(id, Reason.DELIVERY_FAILED, null, segments, partsStarted, drops, e.getMessage());
        }
        return finish(reason);
    }

    private void choosePlanBeforeRunning() throws IOException {
        var saved = spool.plan();
        if (saved.isPresent()) {
            plan = saved.get();
            planConfirmed = true;
        } else if (job.source().kind() == LiveSource.Kind.RTP_SDP) {
            plan = SegmentPlan.forCodecs(InputStreams.fromSdp(Path.of(job.source().location())));
            planConfirmed = true;
            spool.savePlan(plan);
        } else {
            plan = SegmentPlan.COPY_TS;
        }
    }

    /**
     * Starts (or resumes) the recording, queues what the spool holds, then adopts what earlier runs of a
     * crashed agent left behind (every run folder but {@code current}, the run now going).
     */
    private void openSession(Path current) throws IOException, InterruptedException {
        uploader = new Uploader(clientOptions, id, plan.container().contentType(), job.metadata(), spool,
                plan.container().extension(), metrics);
        long gatewayNext = uploader.open(START_ATTEMPTS);
        nextSeq = Math.max(gatewayNext, spool.maxSeq() + 1);
        uploader.startSending();
        for (Path run : spool.runDirs()) {
            if (run.equals(current)) {
                continue;
            }
            List<Path> left = FfmpegRun.salvage(run, plan.container().extension());
            if (!left.isEmpty()) {
                LOG.atInfo().addKeyValue("recording", id).addKeyValue("run", run.getFileName()).addKeyValue("segments", left.size())
                        .log("spool recovered");
            }
            for (Path seg : left) {
                adopt(seg, false);
            }
            spool.deleteRunDir(run);
        }
    }

    private Reason record() throws Exception {
        long sourceLostSince = System.nanoTime();
        int attempt = 0;
        boolean first = nextSeq <= 0;
        while (true) {
            if (stop.getCount() == 0) {
                return Reason.STOP_REQUESTED;
            }
            Path dir = spool.newRunDir();
            List<String> output = new ArrayList<>();
            if (options.maxDuration() != null) {
                long left = options.maxDuration().toNanos() / 1000 - recordedMicros;
                output.addAll(List.of("-t", String.format(java.util.Locale.ROOT, "%.3f", left / 1e6)));
            }
            FfmpegRun run = FfmpegRun.start(options.ffmpeg(), dir, job.source().inputArguments(first, options.stallTimeout()), output, plan,
                    options.segmentTime());
            LOG.atInfo().addKeyValue("recording", id).addKeyValue("attempt", attempt).addKeyValue("run", dir.getFileName())
                    .log("source connecting");
            RunEnd end = watch(run, sourceLostSince);
            if (end == RunEnd.REPLANNED) {
                continue;
            }
            first = false;
            boolean produced = run.outTimeMicros() > 0;
            recordedMicros += Math.max(0, run.outTimeMicros());
            if (produced) {
                for (Path seg : run.finishedSegments()) {
                    adopt(seg, true);
                }
            }
            // A run that never got media wrote at most container headers: nothing to keep.
            spool.deleteRunDir(dir);
            if (produced) {
                sourceLostSince = run.lastProgressNanos();
                attempt = 0;
            }
            switch (end) {
                case STOPPED:
                    return Reason.STOP_REQUESTED;
                case SPOOL_FULL:
                    LOG.atError().addKeyValue("recording", id).addKeyValue("bytes", spool.bytes())
                            .addKeyValue("limit", spool.maxBytes()).log("spool full, recording stopped");
                    return Reason.SPOOL_FULL;
                case DELIVERY_FAILED:
                    return Reason.DELIVERY_FAILED;
                default:
                    break;
            }
            if (options.maxDuration() != null && recordedMicros >= options.maxDuration().toNanos() / 1000 - 500_000) {
                return Reason.MAX_DURATION;
            }
            if (end == RunEnd.EXITED && run.exitCode() == 0 && job.source().canEnd() && SourceEnd.ended(job.source())) {
                LOG.atInfo().addKeyValue("recording", id).log("source ended");
                return Reason.SOURCE_ENDED;
            }
            if (end == RunEnd.EXITED && run.exitCode() != 0 && run.logTail().contains("Protocol not found")) {
                // An FFmpeg built without the source's protocol (srt:// without libsrt): retrying cannot help.
                LOG.atError().addKeyValue("recording", id).addKeyValue("source", String.valueOf(job.source()))
                        .addKeyValue("ffmpeg", LiveSource.redact(lastLine(run.logTail()))).log("source unsupported");
                return Reason.SOURCE_UNSUPPORTED;
            }
            drops++;
            metrics.drop();
            long lostFor = System.nanoTime() - sourceLostSince;
            LOG.atWarn().addKeyValue("recording", id).addKeyValue("reason", end == RunEnd.STALLED ? "stall" : "exit")
                    .addKeyValue("exitCode", run.isAlive() ? "-" : run.exitCode()).addKeyValue("lostForMs", lostFor / 1_000_000)
                    .addKeyValue("ffmpeg", LiveSource.redact(lastLine(run.logTail()))).log("source dropped");
            if (lostFor > options.sourceTimeout().toNanos()) {
                LOG.atError().addKeyValue("recording", id).addKeyValue("lostForMs", lostFor / 1_000_000)
                        .addKeyValue("timeoutMs", options.sourceTimeout().toMillis()).log("source gone");
                return Reason.SOURCE_GONE;
            }
            attempt++;
            Duration delay = options.reconnectDelay(attempt);
            if (stop.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
                return Reason.STOP_REQUESTED;
            }
            metrics.reconnect();
        }
    }

    private enum RunEnd { EXITED, STALLED, STOPPED, SPOOL_FULL, DELIVERY_FAILED, REPLANNED }

    /**
     * Follows one run until it ends or has to be ended, adopting its segments as they finish. A run that
     * has not produced anything yet is connecting (or waiting for RTP packets): it is not restarted for
     * a stall, only ended when the source has been gone for the source timeout. RTP is never restarted
     * for a stall: a silent RTP stream is no broken connection, and FFmpeg ends by itself after 10 s of
     * silence, so a short pause stays a gap inside the part and a long one becomes a new part.
     */
    private RunEnd watch(FfmpegRun run, long sourceLostSince) throws Exception {
        while (true) {
            if (!planConfirmed && run.inputStreams().isDone()) {
                InputStreams streams = run.inputStreams().get();
                if (!streams.isEmpty()) {
                    SegmentPlan chosen = SegmentPlan.forCodecs(streams);
                    planConfirmed = true;
                    spool.savePlan(chosen);
                    LOG.atInfo().addKeyValue("recording", id).addKeyValue("video", streams.video())
                            .addKeyValue("audio", streams.audio()).addKeyValue("plan", chosen).log("plan chosen");
                    if (!chosen.equals(plan)) {
                        plan = chosen;
                        run.kill();
                        spool.deleteRunDir(run.dir());
                        openSession(null);
                        return RunEnd.REPLANNED;
                    }
                    openSession(run.dir());
                }
            }
            if (uploader != null && run.outTimeMicros() > 0) {
                for (Path seg : run.finishedSegments()) {
                    adopt(seg, true);
                }
            }
            if (stop.getCount() == 0) {
                run.stop(FFMPEG_GRACE);
                return RunEnd.STOPPED;
            }
            if (spool.overLimit()) {
                run.stop(FFMPEG_GRACE);
                return RunEnd.SPOOL_FULL;
            }
            if (uploader != null && uploader.fatal() != null) {
                run.stop(FFMPEG_GRACE);
                return RunEnd.DELIVERY_FAILED;
            }
            if (!run.isAlive()) {
                return RunEnd.EXITED;
            }
            boolean producing = run.outTimeMicros() > 0;
            if (producing && job.source().restartsOnStall() && System.nanoTime() - run.lastProgressNanos() > options.stallTimeout().toNanos()) {
                LOG.atWarn().addKeyValue("recording", id).addKeyValue("outTimeMs", run.outTimeMicros() / 1000)
                        .addKeyValue("stallTimeoutMs", options.stallTimeout().toMillis()).log("source stalled");
                run.stop(FFMPEG_GRACE);
                return RunEnd.STALLED;
            }
            if (!producing && System.nanoTime() - sourceLostSince > options.sourceTimeout().toNanos()) {
                run.stop(FFMPEG_GRACE);
                return RunEnd.STALLED;
            }
            if (stop.await(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
                continue;
            }
        }
    }

    /**
     * Gives {@code segment} the next seq and hands it to the uploader. The first segment of a run that
     * follows recorded media starts a new part, which is marked in the spool before the segment is adopted.
     */
    private void adopt(Path segment, boolean fromCurrentRun) throws IOException {
        boolean newRun = fromCurrentRun && isFirstOfRun(segment);
        if (newRun && nextSeq > 0) {
            spool.markPartStart(nextSeq);
            partsStarted++;
        }
        Spool.Segment s = spool.adopt(segment, nextSeq++, plan.container().extension());
        segments++;
        metrics.spooled(s.size());
        LOG.atDebug().addKeyValue("recording", id).addKeyValue("seq", s.seq()).addKeyValue("bytes", s.size()).log("segment spooled");
        uploader.enqueue(s);
    }

    private static boolean isFirstOfRun(Path segment) {
        return segment.getFileName().toString().startsWith("seg-000000.");
    }

    private Outcome finish(Reason reason) {
        if (uploader == null) {
            LOG.atError().addKeyValue("recording", id).addKeyValue("reason", reason)
                    .addKeyValue("error", "the source never delivered media").log("recording ended");
            close();
            return new Outcome(id, reason, null, 0, 0, drops, "the source never delivered media");
        }
        try {
            Message.Stopped stopped = uploader.finish(options.stopTimeout());
            ClientException undelivered = uploader.fatal();
            String error = undelivered == null ? null : undelivered.getMessage() + "; stopped with the first "
                    + stopped.chunks() + " chunks, " + spool.pending().size() + " segments left in " + spool.dir();
            var end = LOG.atInfo().addKeyValue("recording", id)
                    .addKeyValue("reason", undelivered == null ? reason : Reason.DELIVERY_FAILED)
                    .addKeyValue("chunks", stopped.chunks()).addKeyValue("bytes", stopped.bytes())
                    .addKeyValue("segments", segments).addKeyValue("parts", partsStarted).addKeyValue("drops", drops);
            if (error != null) {
                end = end.addKeyValue("error", error);
            }
            end.log("recording ended");
            close();
            spool.deleteIfDone();
            return new Outcome(id, undelivered == null ? reason : Reason.DELIVERY_FAILED, stopped, segments,
                    partsStarted, drops, error);
        } catch (ClientException | TimeoutException | IOException e) {
            LOG.atError().addKeyValue("recording", id).addKeyValue("reason", reason).addKeyValue("stopped", false)
                    .addKeyValue("spoolBytes", spool.bytes()).addKeyValue("error", e.getMessage()).log("recording ended");
            close();
            return new Outcome(id, reason, null, segments, partsStarted, drops, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            return new Outcome(id, reason, null, segments, partsStarted, drops, "interrupted");
        }
    }

    private void close() {
        if (uploader != null) {
            uploader.close();
        }
    }

    private static String lastLine(String text) {
        int nl = text.lastIndexOf('\n');
        return (nl < 0 ? text : text.substring(nl + 1)).replace('"', '\'');
    }
}
