package dev.recingest.gateway.ingest;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes this gateway holds for connections that have not sent {@code start} yet, across all of
 * them: the part of a control message that arrived and waits for its rest. Such connections carry no
 * token yet, so nothing else bounds how many hold a half-sent message at once; this does, whatever their
 * number. A frame that arrives whole in one read is decoded at once and needs no reservation, so a
 * client that sends its {@code start} in one piece never meets this limit. Shared by every connection.
 */
public final class PreStartBudget {

    private final long limit;
    private final AtomicLong used = new AtomicLong();

    public PreStartBudget(long limit) {
        this.limit = limit;
    }

    /** Reserves {@code bytes}; false (and nothing reserved) when that would go over the limit. */
    boolean tryReserve(long bytes) {
        while (true) {
            long now = used.get();
            if (now + bytes > limit) {
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    public long used() {
        return used.get();
    }

    public long limit() {
        return limit;
    }
}
