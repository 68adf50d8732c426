package dev.recingest.agent;

import dev.recingest.client.ClientOptions;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several recordings in one process, each a {@link LiveRecorder} on its own thread with its own FFmpeg.
 * {@link #stopAll()} (SIGTERM) asks every one to finish; {@link #awaitAll()} returns their outcomes.
 */
public final class RecorderAgent {

    private static final Logger LOG = LoggerFactory.getLogger(RecorderAgent.class);

    private final List<LiveRecorder> recorders = new ArrayList<>();
    private final List<Future<LiveRecorder.Outcome>> running = new ArrayList<>();
    private final ExecutorService threads;

    public RecorderAgent(List<RecordingJob> jobs, AgentOptions options, ClientOptions clientOptions,
                         MeterRegistry registry) {
        if (jobs.isEmpty()) {
            throw new IllegalArgumentException("nothing to record");
        }
        long distinct = jobs.stream().map(RecordingJob::recordingId).distinct().count();
        if (distinct != jobs.size()) {
            throw new IllegalArgumentException("two recordings with the same id");
        }
        for (RecordingJob job : jobs) {
            recorders.add(new LiveRecorder(job, options, clientOptions, registry));
        }
        // Platform threads: each one starts its FFmpeg, whose parent-death signal is tied to the thread.
        threads = Executors.newFixedThreadPool(jobs.size(), r -> {
            Thread t = new Thread(r, "agent-recorder");
            t.setDaemon(true);
            return t;
        });
    }

    public RecorderAgent start() {
        for (LiveRecorder r : recorders) {
            running.add(threads.submit(r));
        }
        return this;
    }

    public void stopAll() {
        LOG.atInfo().addKeyValue("recordings", recorders.size()).log("agent stopping");
        recorders.forEach(LiveRecorder::requestStop);
    }

    /** Waits for every recording to end; a recorder that threw is reported as an outcome with its error. */
    public List<LiveRecorder.Outcome> awaitAll() throws InterruptedException {
        List<LiveRecorder.Outcome> out = new ArrayList<>();
        for (int i = 0; i < running.size(); i++) {
            try {
                out.add(running.get(i).get());
            } catch (ExecutionException e) {
                LOG.atError().setCause(e.getCause()).log("recorder crashed");
                out.add(new LiveRecorder.Outcome(null, LiveRecorder.Reason.DELIVERY_FAILED, null, 0, 0, 0,
                        String.valueOf(e.getCause())));
            }
        }
        threads.shutdown();
        return out;
    }

    /** How long {@link #stopAll()} may take at most: FFmpeg's grace plus delivering the spool. */
    public static Duration stopBudget(AgentOptions options) {
        return options.stopTimeout().plusSeconds(20);
    }
}
