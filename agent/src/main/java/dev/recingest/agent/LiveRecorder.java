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
        LOG.info("recordingId={} event=recording-start source=\"{}\" spool={} plan=\"{}\"", id, job.source(),
                spool.dir(), planConfirmed ? plan : "from the source's codecs");
        Reason reason;
        try {
            if (planConfirmed) {
                openSession(null);
            }
            reason = record();
        } catch (ClientException e) {
            LOG.error("recordingId={} event=recording-failed code={} error=\"{}\"", id, e.code(), e.getMessage());
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
                LOG.info("recordingId={} event=spool-recovered run={} segments={}", id, run.getFileName(), left.size());
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
            LOG.info("recordingId={} event=source-connect attempt={} run={}", id, attempt, dir.getFileName());
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
                    LOG.error("recordingId={} event=spool-full bytes={} limit={} action=stop", id, spool.bytes(),
                            spool.maxBytes());
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
                LOG.info("recordingId={} event=source-ended", id);
                return Reason.SOURCE_ENDED;
            }
            if (end == RunEnd.EXITED && run.exitCode() != 0 && run.logTail().contains("Protocol not found")) {
                // An FFmpeg built without the source's protocol (srt:// without libsrt): retrying cannot help.
                LOG.error("recordingId={} event=source-unsupported source=\"{}\" ffmpeg=\"{}\"", id, job.source(),
                        lastLine(run.logTail()));
                return Reason.SOURCE_UNSUPPORTED;
            }
            drops++;
            metrics.drop();
            long lostFor = System.nanoTime() - sourceLostSince;
            LOG.warn("recordingId={} event=source-drop cause={} exitCode={} lostForMs={} ffmpeg=\"{}\"", id,
                    end == RunEnd.STALLED ? "stall" : "exit", run.isAlive() ? "-" : run.exitCode(), lostFor / 1_000_000,
                    lastLine(run.logTail()));
            if (lostFor > options.sourceTimeout().toNanos()) {
                LOG.error("recordingId={} event=source-gone lostForMs={} timeout={}", id, lostFor / 1_000_000,
                        options.sourceTimeout());
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
                    LOG.info("recordingId={} event=plan video={} audio={} plan=\"{}\"", id, streams.video(),
                            streams.audio(), chosen);
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
                LOG.warn("recordingId={} event=source-stall outTimeMs={} stallTimeout={}", id,
                        run.outTimeMicros() / 1000, options.stallTimeout());
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
        LOG.debug("recordingId={} event=segment-spooled seq={} bytes={}", id, s.seq(), s.size());
        uploader.enqueue(s);
    }

    private static boolean isFirstOfRun(Path segment) {
        return segment.getFileName().toString().startsWith("seg-000000.");
    }

    private Outcome finish(Reason reason) {
        if (uploader == null) {
            LOG.error("recordingId={} event=recording-end reason={} error=\"the source never delivered media\"", id, reason);
            close();
            return new Outcome(id, reason, null, 0, 0, drops, "the source never delivered media");
        }
        try {
            Message.Stopped stopped = uploader.finish(options.stopTimeout());
            ClientException undelivered = uploader.fatal();
            String error = undelivered == null ? null : undelivered.getMessage() + "; stopped with the first "
                    + stopped.chunks() + " chunks, " + spool.pending().size() + " segments left in " + spool.dir();
            LOG.info("recordingId={} event=recording-end reason={} chunks={} bytes={} segments={} parts={} drops={}{}",
                    id, undelivered == null ? reason : Reason.DELIVERY_FAILED, stopped.chunks(), stopped.bytes(), segments,
                    partsStarted, drops, error == null ? "" : " error=\"" + error + "\"");
            close();
            spool.deleteIfDone();
            return new Outcome(id, undelivered == null ? reason : Reason.DELIVERY_FAILED, stopped, segments,
                    partsStarted, drops, error);
        } catch (ClientException | TimeoutException | IOException e) {
            LOG.error("recordingId={} event=recording-end reason={} stopped=false spoolBytes={} error=\"{}\"", id, reason,
                    spool.bytes(), e.getMessage());
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
