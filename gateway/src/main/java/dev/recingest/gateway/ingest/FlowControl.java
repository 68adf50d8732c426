package dev.recingest.gateway.ingest;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Backpressure across all connections of this gateway: the bytes of chunks received but not yet acked
 * or dropped. A connection over its own window, or any connection while the global total is over the
 * global limit, stops reading (autoRead off), so a fast client meets TCP backpressure instead of filling
 * the heap. Connections paused by the global limit resume once the total drops to the resume mark, a quarter
 * below the limit. Resuming them at every ack under the limit would wake every paused connection per chunk,
 * each to read a frame or two and be paused again.
 */
public final class FlowControl {

    private final long windowBytes;
    private final long globalLimit;
    private final long resumeMark;
    private final AtomicLong global = new AtomicLong();
    private final Set<ReadGate> pausedByGlobal = ConcurrentHashMap.newKeySet();

    public FlowControl(long windowBytes, long globalLimit) {
        this.windowBytes = windowBytes;
        this.globalLimit = globalLimit;
        this.resumeMark = globalLimit - globalLimit / 4;
    }

    public AtomicLong inflightBytes() {
        return global;
    }

    /** Called on the channel's event loop when a chunk arrives; {@code connectionBytes} includes it. */
    void acquired(ReadGate gate, long bytes, long connectionBytes) {
        long total = global.addAndGet(bytes);
        if (connectionBytes > windowBytes) {
            gate.hold(ReadGate.Reason.WINDOW);
        }
        if (total > globalLimit) {
            gate.hold(ReadGate.Reason.GLOBAL);
            pausedByGlobal.add(gate);
        }
    }

    /** Called on the channel's event loop when a chunk is acked, nacked or dropped. */
    void released(ReadGate gate, long bytes, long connectionBytes) {
        long total = global.addAndGet(-bytes);
        if (connectionBytes <= windowBytes) {
            gate.lift(ReadGate.Reason.WINDOW);
        }
        if (total <= resumeMark && !pausedByGlobal.isEmpty()) {
            for (ReadGate g : pausedByGlobal) {
                if (pausedByGlobal.remove(g)) {
                    // Each gate is changed on its own channel's event loop.
                    g.channel().pipeline().fireUserEventTriggered(ResumeReading.INSTANCE);
                }
            }
        }
    }

    /** Forgets a closed connection. */
    void closed(ReadGate gate) {
        pausedByGlobal.remove(gate);
    }

    /** Event telling a handler that the global limit no longer holds its connection back. */
    enum ResumeReading {
        INSTANCE
    }
}
