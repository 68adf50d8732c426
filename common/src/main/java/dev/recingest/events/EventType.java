package dev.recingest.events;

import java.util.Arrays;

/**
 * The events a webhook receiver gets, each tied to the state it announces and to the meta field that
 * holds the moment it happened (which also makes the event id stable when an event is announced again).
 */
public enum EventType {
    STARTED("recording.started", "RECORDING", "createdAt"),
    STALLED("recording.stalled", "STALLED", "stalledAt"),
    STOPPED("recording.stopped", "STOPPED", "stoppedAt"),
    COMPLETED("recording.completed", "COMPLETED", "completedAt"),
    FAILED("recording.failed", "FAILED", "failedAt"),
    /** The recorder (or a force delete) aborted it: its chunks are deleted, nothing is merged. */
    ABORTED("recording.aborted", "ABORTED", "abortedAt"),
    /** The admin API deleted its objects; the id stays ended for good (a tombstone in storage). */
    DELETED("recording.deleted", "DELETED", "deletedAt"),
    /**
     * The live rendition listed its first segment: the recording can be watched ({@code live.m3u8}). Not a change of
     * state: the event carries the state the recording is in.
     */
    LIVE("recording.live", "RECORDING", "liveAt");

    private final String wire;
    private final String state;
    private final String timeField;

    EventType(String wire, String state, String timeField) {
        this.wire = wire;
        this.state = state;
        this.timeField = timeField;
    }

    /** The name in the event's {@code type} field and the {@code X-Recingest-Event} header. */
    public String wire() {
        return wire;
    }

    /** The state the event announces (the event's {@code recording.state}): a RecordingState name, or DELETED. */
    public String state() {
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
