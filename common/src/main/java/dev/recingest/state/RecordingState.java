package dev.recingest.state;

/** The lifecycle of PROTOCOL.md, "Recording states". */
public enum RecordingState {
    RECORDING, STALLED, STOPPED, MERGING, COMPLETED, FAILED, ABORTED;

    /** True while chunks may still be written. */
    public boolean open() {
        return this == RECORDING || this == STALLED;
    }

    /**
     * How far along the lifecycle the state is. Where Redis and storage disagree (Redis lost its latest
     * writes), the later state is the truth: a recording storage shows as stopped is never open again, one
     * it shows as completed never fails, and a tombstone ends everything. settle.lua holds the same order.
     */
    public int progress() {
        return switch (this) {
            case RECORDING, STALLED -> 0;
            case STOPPED -> 1;
            case MERGING -> 2;
            case FAILED -> 3;
            case COMPLETED -> 4;
            case ABORTED -> 5;
        };
    }
}
