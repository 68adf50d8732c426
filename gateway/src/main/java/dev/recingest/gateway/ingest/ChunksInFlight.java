package dev.recingest.gateway.ingest;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;

/**
 * One connection's chunks between their frame and their answer. Each counts against the connection's window and
 * the gateway's limit ({@link FlowControl}, which holds the connection's {@link ReadGate}) from its arrival until it
 * is answered; while {@code start} or {@code part} is being answered, chunks are held here in arrival order; a
 * step that must wait for the writes in flight ({@code stop}, a drain) waits here. Only the connection's event
 * loop touches it.
 */
final class ChunksInFlight {

    /** A chunk that arrived while {@code start} or {@code part} was being answered; written once it is. */
    record Held(long seq, ByteBuf payload, long receivedNanos) {
    }

    private final FlowControl flow;
    private final ReadGate gate;
    /**
     * Made by the first held chunk, because most connections never need it and an idle connection should cost
     * little heap (issue 5: 10,000 per gateway).
     */
    private ArrayDeque<Held> held;
    private long unackedBytes;
    private int writing;
    private Runnable whenIdle;

    ChunksInFlight(FlowControl flow, ReadGate gate) {
        this.flow = flow;
        this.gate = gate;
    }

    /** A chunk of {@code bytes} arrived: counted until it is answered (the connection may stop reading). */
    void arrived(long bytes) {
        unackedBytes += bytes;
        flow.acquired(gate, bytes, unackedBytes);
    }

    /** Holds an arrived chunk until {@link #nextHeld} gives it back; this owns {@code payload} meanwhile. */
    void hold(long seq, ByteBuf payload, long receivedNanos) {
        if (held == null) {
            held = new ArrayDeque<>(4);
        }
        held.add(new Held(seq, payload, receivedNanos));
    }

    /** Whether chunks are held (arrived since {@code start} or {@code part} and not yet written). */
    boolean holding() {
        return held != null && !held.isEmpty();
    }

    /** The oldest held chunk (its payload back to the caller), or null. */
    Held nextHeld() {
        return held == null ? null : held.poll();
    }

    /** An arrived chunk goes to the writer. */
    void writing() {
        writing++;
    }

    /** A written chunk of {@code bytes} was answered (or dropped): no longer counted. Then call {@link #settle}. */
    void written(long bytes) {
        writing--;
        release(bytes);
    }

    /** Runs the step that waited for nothing in flight, if nothing is now. */
    void settle() {
        if (writing == 0 && whenIdle != null) {
            Runnable r = whenIdle;
            whenIdle = null;
            r.run();
        }
    }

    /** Runs {@code action} once no write is in flight: now, or when the last one is answered. */
    void whenNothingInFlight(Runnable action) {
        if (writing == 0) {
            action.run();
        } else {
            whenIdle = action;
        }
    }

    /** The connection closed: held chunks are dropped (their payloads released) and the gate forgotten. */
    void closed() {
        for (Held h = nextHeld(); h != null; h = nextHeld()) {
            long size = h.payload().readableBytes();
            h.payload().release();
            release(size);
        }
        flow.closed(gate);
    }

    private void release(long bytes) {
        unackedBytes -= bytes;
        flow.released(gate, bytes, unackedBytes);
    }
}
