package dev.recingest.merge;

import dev.recingest.state.MetaFields;
import dev.recingest.durable.EndLedger;
import dev.recingest.events.EventPublisher;
import dev.recingest.events.EventType;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingState;
import dev.recingest.state.RecordingStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What follows a recorded outcome (COMPLETED or FAILED): announce it (recording.completed / .failed)
 * and let the recording's Redis keys expire after the retention time.
 *
 * <p>At least once: the worker acks the job only once the announcement is in the outbox, so a worker
 * that dies (or cannot reach the outbox) between the outcome and its announcement leaves the job
 * pending, and the worker that claims it next finds the outcome recorded but not announced
 * ({@code announced} is not the state) and announces it then. The event id is derived from the
 * outcome's timestamp, so an announcement made twice carries one id.
 */
final class Conclusion {

    private static final Logger LOG = LoggerFactory.getLogger(Conclusion.class);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final RecordingStore recordings;
    private final EventPublisher events;
    private final Duration retention;
    private final EndLedger ledger;

    Conclusion(RecordingStore recordings, EventPublisher events, Duration retention, EndLedger ledger) {
        this.recordings = recordings;
        this.events = events;
        this.retention = retention;
        this.ledger = ledger;
    }

    /** True if the outcome {@code state} of a recording still needs its announcement (see the class comment). */
    static boolean pending(RecordingState state, Map<String, String> fields) {
        return (state == RecordingState.COMPLETED || state == RecordingState.FAILED)
                && !state.name().equals(fields.get(MetaFields.ANNOUNCED));
    }

    /**
     * The outcome in storage too: a failure in the manifest (so that the id stays ended as FAILED after its
     * keys expire), and the merge no longer owed. Best effort: with storage down (the likely cause of the
     * failure) the announcement must not wait for it; the stop's manifest stays, and the janitor's audit of
     * owed merges removes the mark once it sees the outcome in Redis.
     */
    private void inStorage(RecordingId id, RecordingState state) throws InterruptedException {
        try {
            if (state == RecordingState.FAILED) {
                ledger.recordFailure(id, recordings.fields(id).get(WAIT.toMillis(), TimeUnit.MILLISECONDS),
                        recordings.voidIndices(id).get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
            ledger.mergeConcluded(id).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.atWarn().addKeyValue("recording", id).addKeyValue("state", state).addKeyValue("error", e.toString())
                    .log("outcome not in storage");
        }
    }

    /**
     * Announces the outcome and sets the keys to expire; never throws (failures are logged).
     *
     * @return false when the announcement did not reach the outbox: leave the job pending to try again
     */
    boolean conclude(RecordingId id, RecordingState state) throws InterruptedException {
        EventType type = state == RecordingState.COMPLETED ? EventType.COMPLETED : EventType.FAILED;
        boolean announced = false;
        try {
            inStorage(id, state);
            announced = Boolean.TRUE.equals(events.announce(type, id).get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            if (announced) {
                recordings.setFields(id, Map.of(MetaFields.ANNOUNCED, state.name())).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
            recordings.retention().expire(id, retention).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // A missing marker or TTL costs a repeated announcement or memory, not correctness.
            LOG.atWarn().addKeyValue("recording", id).addKeyValue("state", state).addKeyValue("error", e.toString())
                    .log("conclusion incomplete");
        }
        if (!announced) {
            LOG.atWarn().addKeyValue("recording", id).addKeyValue("state", state)
                    .addKeyValue("note", "the job stays pending to announce it").log("outcome not announced");
        }
        return announced;
    }
}
