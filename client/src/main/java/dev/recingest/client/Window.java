package dev.recingest.client;

/**
 * The flow-control window: payload bytes sent (or queued) and not yet acked. Senders block here
 * rather than in the WebSocket, so that a slow gateway slows the producer instead of filling the heap.
 * A chunk larger than the whole window is let through when nothing else is in flight; refusing it
 * would block forever.
 */
final class Window {

    private final long capacity;
    private long used;
    private ClientException failure;

    Window(long capacity) {
        this.capacity = capacity;
    }

    /** Blocks until {@code bytes} fit, then takes them. Throws the session's failure once it has one. */
    synchronized void acquire(long bytes) {
        while (failure == null && used > 0 && used + bytes > capacity) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ClientException.of(ClientException.INTERRUPTED, "interrupted while waiting for window space");
            }
        }
        if (failure != null) {
            throw failure.copy();
        }
        used += bytes;
    }

    /** Takes bytes without waiting: for resends the gateway asked for, which must not block the event thread. */
    synchronized void force(long bytes) {
        used += bytes;
    }

    synchronized void release(long bytes) {
        used -= bytes;
        notifyAll();
    }

    /** Wakes every waiting sender with this failure; later acquires fail at once. */
    synchronized void fail(ClientException e) {
        if (failure == null) {
            failure = e;
        }
        notifyAll();
    }

    synchronized long used() {
        return used;
    }
}
