package dev.recingest.live;

import dev.recingest.merge.Await;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.LiveIndex;
import java.time.Duration;
import java.util.Map;

/**
 * One worker's hold on one recording's rendition ({@link LiveIndex}): renewed with the rendition's status every
 * third of the lease, and right before each publication, which happens only while it is held. Once a renewal
 * finds it gone (this worker paused past it, or Redis went back to before it was taken), it stays lost: the
 * rendition stops, and whoever takes the recording next continues from storage.
 */
final class LiveLease {

    /** Thrown where a rendition finds it no longer holds its recording. */
    static final class Lost extends RuntimeException {
        Lost(RecordingId id) {
            super("the live lease of " + id + " is lost");
        }
    }

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final LiveIndex index;
    private final RecordingId id;
    private final String token;
    private final Duration lease;
    private volatile boolean lost;

    LiveLease(LiveIndex index, RecordingId id, String token, Duration lease) {
        this.index = index;
        this.id = id;
        this.token = token;
        this.lease = lease;
    }

    /** Renews the lease and writes {@code status}; throws {@link Lost} if it is not held any more. */
    void hold(Map<String, String> status) throws InterruptedException {
        if (lost) {
            throw new Lost(id);
        }
        if (!Await.within(index.hold(id, token, lease, status), WAIT)) {
            lost = true;
            throw new Lost(id);
        }
    }

    /**
     * Renews the lease and writes {@code status} without waiting for Redis: the future says whether it is still
     * held (false: lost, as {@link #hold} would throw). The worker's renewals of all its renditions share two
     * threads, so none of them may wait on Redis: they did, and with 100-200 renditions on a loaded machine
     * (Redis answering in a few hundred ms) the renewals fell further and further behind their schedule until
     * leases lapsed, although every renewal that ran succeeded.
     */
    java.util.concurrent.CompletableFuture<Boolean> renew(Map<String, String> status) {
        if (lost) {
            return java.util.concurrent.CompletableFuture.completedFuture(false);
        }
        return index.hold(id, token, lease, status).orTimeout(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .thenApply(held -> {
                    if (!held) {
                        lost = true;
                    }
                    return held;
                });
    }

    boolean lost() {
        return lost;
    }

    void release() {
        if (!lost) {
            index.release(id, token);
        }
    }

    String token() {
        return token;
    }
}
