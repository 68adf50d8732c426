package dev.recingest.events;

import dev.recingest.protocol.RecordingId;
import java.util.concurrent.CompletableFuture;

/**
 * Announces lifecycle events. The contract every implementation keeps: a call never blocks and never
 * throws, and its future never completes exceptionally; it completes with true once the event is in
 * the outbox (from there it is delivered at least once), false when it could not be put there (the
 * failure is logged). Ingestion must not wait on, or fail because of, a webhook.
 *
 * <p>For the janitor: after moving a recording to STALLED, call {@code announce(EventType.STALLED, id)};
 * after an auto-stop, {@code announce(EventType.STOPPED, id)}.
 */
public interface EventPublisher {

    /** Puts an event into the outbox. */
    CompletableFuture<Boolean> publish(RecordingEvent event);

    /**
     * Reads the recording's current record and publishes {@code type} about it; false (and nothing
     * published) when the recording is unknown.
     */
    CompletableFuture<Boolean> announce(EventType type, RecordingId id);

    /** Publishes nothing and says every event is taken care of (true): for wiring without an outbox (tests, tools). */
    static EventPublisher none() {
        return Disabled.INSTANCE;
    }

    /** The publisher of {@link #none()}. */
    enum Disabled implements EventPublisher {
        INSTANCE;

        @Override
        public CompletableFuture<Boolean> publish(RecordingEvent event) {
            return CompletableFuture.completedFuture(true);
        }

        @Override
        public CompletableFuture<Boolean> announce(EventType type, RecordingId id) {
            return CompletableFuture.completedFuture(true);
        }
    }
}
