package dev.recingest.events;

import dev.recingest.state.RecordingState;
import java.util.Arrays;

/**
 * The events a webhook receiver gets, each tied to the state it announces and to the meta field that
 * holds the moment it happened (which also makes the event id stable when an event is announced again).
 */
public enum EventType {
    STARTED("recording.started", RecordingState.RECORDING, "createdAt"),
    STALLED("recording.stalled", RecordingState.STALLED, "stalledAt"),
    STOPPED("recording.stopped", RecordingState.STOPPED, "stoppedAt"),
    COMPLETED("recording.completed", RecordingState.COMPLETED, "completedAt"),
    FAILED("recording.failed", RecordingState.FAILED, "failedAt");

    private final String wire;
    private final RecordingState state;
    private final String timeField;

    EventType(String wire, RecordingState state, String timeField) {
        this.wire = wire;
        this.state = state;
        this.timeField = timeField;
    }

    /** The name in the event's {@code type} field and the {@code X-Recingest-Event} header. */
    public String wire() {
        return wire;
    }

    /** The state the event announces (the event's {@code recording.state}). */
    public RecordingState state() {
        return state;
    }

    /** The meta field (epoch ms) with the moment the state was entered. */
    String timeField() {
        return timeField;
    }

    public static EventType fromWire(String wire) {
        return Arrays.stream(values()).filter(t -> t.wire.equals(wire)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown event type " + wire));
    }
}
