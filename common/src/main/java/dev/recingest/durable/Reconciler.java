package dev.recingest.durable;

import dev.recingest.observability.Laps;
import dev.recingest.protocol.RecordingId;
import java.util.concurrent.CompletableFuture;

/**
 * The one owner of "make Redis agree with storage". Redis is the hot state and may lose its latest writes
 * (a restart under {@code appendfsync everysec}, a failover to a lagging replica, keys that expired); storage
 * is what was acked. Every path that resumes, ends or re-merges a recording calls {@link #reconcile} first:
 * a client's start and resume, a chunk that finds Redis behind, a client's stop and abort, the admin API's
 * stop and re-merge, the janitor's auto-stop, and the merger before it takes a job.
 *
 * <p>Contract of {@link #reconcile}, in this order:
 * <ol>
 *   <li>If storage records an end of the recording ({@code manifest.json}: stopped, completed or failed;
 *       {@code tombstone.json}: aborted or deleted) that Redis is behind
 *       ({@link dev.recingest.state.RecordingState#progress}), Redis is moved to that end with the fields
 *       storage records, and what was lost with it follows: a stop's merge job is queued again and the
 *       stop announced; a final outcome is announced and its keys set to expire. A record Redis lost
 *       entirely is re-created only for a stop (its merge is owed); a later end needs no record.</li>
 *   <li>Every chunk object at or above the lowest index Redis does not record as stored or void is recorded
 *       as stored (unless void), and the index counter moved past them and to at least {@code floor}. The
 *       listing starts there (S3 {@code StartAfter}), so a repair costs O(chunks above it), not O(recording).</li>
 *   <li>Every part boundary storage records ({@link dev.recingest.state.PartStart}) is recorded in Redis, and
 *       the counter moved to at least the last one's first seq: {@code started}'s part count and the merge's
 *       parts come from Redis, and a boundary answered with {@code partStarted} is never lost.</li>
 * </ol>
 * Nothing moves backwards. The future fails with an {@link dev.recingest.protocol.IngestException} of code
 * STORAGE_UNAVAILABLE when storage or Redis cannot be reached; the caller answers retryably and nothing changed
 * that a retry does not redo.
 */
public interface Reconciler {

    /**
     * Makes Redis agree with storage about {@code id} (see the class comment).
     *
     * @param floor indices the caller knows were handed out (a connection's), so none is handed out again;
     *              0 for none
     */
    default CompletableFuture<Reconciled> reconcile(RecordingId id, long floor) {
        return reconcile(id, floor, Laps.OFF);
    }

    /**
     * {@link #reconcile(RecordingId, long)}, taking a lap in {@code laps} after each of its steps (a resume's
     * breakdown: {@code ResumeBenchmark}, {@code recingest_resume_seconds}).
     */
    CompletableFuture<Reconciled> reconcile(RecordingId id, long floor, Laps laps);

    /**
     * For a {@code start} (a new recording, or a resume): {@code reconcile(id, 0, laps)}, except that nothing is
     * listed when Redis proves it lost nothing of the recording since it was last found to agree with storage
     * and still holds it open (the common resume, after a gateway died: Redis is fine). The proof is Redis's
     * run_id and replication id, recorded with the start ({@link Reconciled#proof},
     * {@link dev.recingest.state.MetaFields#AGREED_ON}) only when Redis still has the proof the listing was made
     * under; a restart (from an older snapshot or none) or a promotion of a replica changes it. What a listing
     * would find that the proof cannot vouch for: chunk objects a dead gateway wrote and never recorded (never
     * acked, so resent by the client and written again), an end (storage records one only after Redis left the
     * open states, every path), a part boundary (written to storage first: {@link #storageGoesAhead} first).
     */
    CompletableFuture<Reconciled> reconcileToOpen(RecordingId id, Laps laps);

    /**
     * Storage is about to get an object of the recording that Redis records only afterwards (a part boundary's
     * mark): the next {@link #reconcileToOpen} lists, whatever Redis proves.
     */
    CompletableFuture<Void> storageGoesAhead(RecordingId id);
}
