package dev.recingest.merge;

/**
 * A worker's claim on the job it is merging. The worker renews it (in the queue and on the recording)
 * while the merge runs; when a renewal finds the job taken by another consumer or gone, or the recording
 * moved on to another attempt, the lease is lost and the merge must not publish.
 */
public final class Lease {

    private volatile boolean lost;
    private volatile long attempt;
    private volatile String attemptId;

    /** A lease that is never lost by the queue, for a merge run outside a worker (tests, tools). */
    public static Lease unmanaged() {
        return new Lease();
    }

    public void lose() {
        lost = true;
    }

    public boolean held() {
        return !lost;
    }

    /** The merge attempt this lease covers, once it has one; 0 before. */
    long attempt() {
        return attempt;
    }

    /** The id of that attempt (what its steps are fenced on in Redis), or null before it has one. */
    String attemptId() {
        return attemptId;
    }

    void attempt(long attempt, String attemptId) {
        this.attempt = attempt;
        this.attemptId = attemptId;
    }
}
