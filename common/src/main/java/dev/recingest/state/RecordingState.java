package dev.recingest.state;

/** The lifecycle of PROTOCOL.md, "Recording states". */
public enum RecordingState {
    RECORDING, STALLED, STOPPED, MERGING, COMPLETED, FAILED, ABORTED;

    /** True while chunks may still be written. */
    public boolean open() {
        return this == RECORDING || this == STALLED;
    }
}
