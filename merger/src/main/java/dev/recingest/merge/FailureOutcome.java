package dev.recingest.merge;

import dev.recingest.merge.MergeMetrics.Outcome;
import dev.recingest.merge.RecordingMerger.Disposition;
import dev.recingest.state.Outcomes.TransitionKind;
import dev.recingest.state.MetaFields;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingState;
import dev.recingest.state.RecordingStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a failed merge attempt leads to: another attempt, if the error is of the moment (storage, a killed FFmpeg, a
 * full disk) and attempts are left; otherwise the recording FAILED with the error, fenced on the attempt when there is
 * one (a superseded attempt never fails its successor's recording), and the failure announced.
 */
final class FailureOutcome {

    private static final Logger LOG = LoggerFactory.getLogger(FailureOutcome.class);
    private static final Duration REDIS_WAIT = Duration.ofSeconds(30);

    private final MergerConfig config;
    private final RecordingStore recordings;
    private final Conclusion conclusion;
    private final MergeMetrics metrics;
    private final Clock clock;

    FailureOutcome(MergerConfig config, RecordingStore recordings, Conclusion conclusion, MergeMetrics metrics,
                   Clock clock) {
        this.config = config;
        this.recordings = recordings;
        this.conclusion = conclusion;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Retries {@code f} or records the recording FAILED (see the class comment); {@code started}: the job's start. */
    Disposition fail(Recording rec, Lease lease, MergeFailure f, long started) throws InterruptedException {
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        long attempt = lease.attemptId() == null ? rec.mergeAttempts() : lease.attempt();
        if (f.retryable() && attempt < config.maxAttempts()) {
            LOG.atWarn().addKeyValue("recording", rec.id()).addKeyValue("attempt", attempt)
                    .addKeyValue("maxAttempts", config.maxAttempts()).addKeyValue("code", f.error())
                    .addKeyValue("reason", f.getMessage()).log("merge will be retried");
            metrics.record(Outcome.RETRIED, took);
            return Disposition.LEAVE_PENDING;
        }
        String message = f.retryable() ? f.getMessage() + " (attempt " + attempt + " of " + config.maxAttempts() + ")"
                : f.getMessage();
        Map<String, String> fields = Map.of(MetaFields.ERROR_CODE, f.error().name(), MetaFields.ERROR_MESSAGE, message,
                MetaFields.FAILED_AT, Long.toString(clock.millis()));
        boolean announcedFailure = true;
        try {
            var t = Await.within(lease.attemptId() == null
                    ? recordings.transition(rec.id(), RecordingMerger.MERGEABLE, RecordingState.FAILED, fields)
                    : recordings.transitionIf(rec.id(), RecordingMerger.MERGEABLE, RecordingState.FAILED,
                            MetaFields.MERGE_ATTEMPT_ID, lease.attemptId(), fields), REDIS_WAIT);
            if (!t.ok()) {
                LOG.atWarn().addKeyValue("recording", rec.id()).addKeyValue("attempt", attempt)
                        .addKeyValue("code", f.error()).addKeyValue("outcome", t.kind()).addKeyValue("state", t.previous())
                        .log("merge failure not recorded");
                metrics.record(Outcome.SKIPPED, took);
                return t.kind() == TransitionKind.FENCED ? Disposition.LEAVE_PENDING : Disposition.ACK;
            } else if (!conclusion.conclude(rec.id(), RecordingState.FAILED)) {
                announcedFailure = false;
            }
        } catch (MergeFailure e) {
            LOG.atWarn().addKeyValue("recording", rec.id()).addKeyValue("reason", e.getMessage())
                    .addKeyValue("note", "the job stays pending").log("merge failure not recorded");
            metrics.record(Outcome.RETRIED, took);
            return Disposition.LEAVE_PENDING;
        }
        var failed = LOG.atError().addKeyValue("recording", rec.id()).addKeyValue("attempt", attempt)
                .addKeyValue("code", f.error()).addKeyValue("retryable", f.retryable()).addKeyValue("reason", message)
                .addKeyValue("durationMs", took.toMillis());
        if (f.error() == MergeError.INTERNAL) {
            failed = failed.setCause(f);
        }
        failed.log("merge failed");
        metrics.record(Outcome.FAILED, took);
        metrics.failed(f.error());
        return announcedFailure ? Disposition.ACK : Disposition.LEAVE_PENDING;
    }
}
