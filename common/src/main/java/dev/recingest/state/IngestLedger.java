package dev.recingest.state;

import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Outcomes.AbortOutcome;
import dev.recingest.state.Outcomes.Assignment;
import dev.recingest.state.Outcomes.CommitKind;
import dev.recingest.state.Outcomes.PartOutcome;
import dev.recingest.state.Outcomes.Reclaim;
import dev.recingest.state.Outcomes.StartOutcome;
import dev.recingest.state.Outcomes.StopOutcome;
import java.util.concurrent.CompletableFuture;

/**
 * The ledger an ingest connection speaks to: who owns a recording, which index each chunk gets, which indices
 * are durably stored, and when the recording ends. The gateway's ingest classes (the lifecycle, the chunk writer,
 * parts, recovery) use nothing else of the state store. The Redis implementation is {@link RedisIngestLedger}
 * ({@link RecordingStore#ledger()}).
 *
 * <p>The contract every implementation keeps (the gateway's guarantees rest on it):
 * <ul>
 *   <li><b>Non-blocking, atomic.</b> Every method returns at once; each call is one atomic step on the one
 *       recording (a Lua script on its slot), so two connections racing on a recording see one order. A future
 *       that completes exceptionally means the ledger could not be reached: the step may or may not have been
 *       applied, and the caller must not assume either (a retry of the same step is always safe).</li>
 *   <li><b>Owner epochs fence writers.</b> {@link #start} hands the caller an owner epoch; every later write by
 *       that connection passes it, and a call with an epoch below the recording's is answered TAKEN_OVER
 *       (with the current owner's epoch) and changes nothing. A null epoch is a server-side call (the admin API,
 *       the janitor) and is not fenced.</li>
 *   <li><b>Answers, not exceptions.</b> Refusals are outcome kinds ({@link Outcomes}): NOT_OPEN carries the
 *       recording's state, UNKNOWN means the ledger has no record of the recording (it was lost: see
 *       {@link #reclaim}), GAP carries the next expected seq.</li>
 *   <li><b>Indices.</b> {@link #assign} never hands one index to two different chunks of one recording as long as
 *       the ledger keeps its writes; in explicit-seq mode index == seq, in at-least-once mode ({@code seq} -1)
 *       indices count up in call order. An index is "stored" only after {@link #commit}, which the caller makes
 *       only once the chunk is durable in storage; {@link #markVoid} gives up an index that never will be.</li>
 *   <li><b>Stop is complete.</b> {@link #stop} succeeds only when every index below the counter is stored or
 *       void; otherwise it lists what is missing and the recording stays open.</li>
 *   <li><b>A ledger may forget.</b> Redis without persistence, a failover to a lagging replica: the record, the
 *       epoch or the counter can go back. Storage is the truth; the caller notices (UNKNOWN, an index below one it
 *       saw) and {@link #reclaim}s, then repairs the counter from storage ({@code durable.Reconciler}).</li>
 * </ul>
 */
public interface IngestLedger {

    /**
     * Creates the recording (CREATED), or takes it over with a new owner epoch if it is still open (RESUMED, with
     * the next seq the client should send); NOT_OPEN with its state if it ended. Enters the recording into the
     * listing, the janitor's and the live renditions' indexes.
     */
    default CompletableFuture<StartOutcome> start(RecordingId id, String contentType, Mode mode, String metadataJson) {
        return start(id, contentType, mode, metadataJson, null);
    }

    /**
     * {@link #start(RecordingId, String, Mode, String)}, recording that the recording agrees with storage as of
     * the listing made under {@code proof} (the ledger's proof that it lost nothing since, see
     * {@link MetaFields#AGREED_ON}) if the ledger still has that proof; null records nothing.
     */
    CompletableFuture<StartOutcome> start(RecordingId id, String contentType, Mode mode, String metadataJson,
                                          String proof);

    /**
     * Assigns (or looks up, for a resend: RESEND with the stored size, or -1 if never stored) the index of one
     * chunk, checking that {@code epoch} still owns the recording. One recording uses one {@code mode} for its
     * whole life (MODE_MIX otherwise).
     */
    CompletableFuture<Assignment> assign(RecordingId id, long epoch, long seq, SeqMode mode);

    /**
     * A new part for the owner {@code epoch} (PROTOCOL.md, "part"): with {@code commit} false, what the part would
     * be, writing nothing (the caller records a NEW one in storage first); with {@code commit} true, records the
     * boundary at {@code firstSeq} starting {@code startedAtMillis}, if the counter has not moved since (MOVED).
     */
    CompletableFuture<PartOutcome> part(RecordingId id, long epoch, boolean commit, long firstSeq, long startedAtMillis);

    /** Records a durably stored chunk (RECORDED, or ALREADY for a repeat), unless its index was given up (VOID). */
    CompletableFuture<CommitKind> commit(RecordingId id, long index, long size);

    /** Gives up an at-least-once index that was never stored; false if the chunk turned out to be stored after all. */
    CompletableFuture<Boolean> markVoid(RecordingId id, long index);

    /**
     * Takes the recording back for the connection that owns it with {@code epoch} after the ledger lost its
     * record (re-created from the connection's own start, which is why it is passed again) or lost the takeover
     * that gave it {@code epoch}; RECLAIMED with a fresh epoch above it. A newer owner wins (TAKEN_OVER); an ended
     * recording stays ended (NOT_OPEN). The counter may be gone too: repair it from storage afterwards.
     *
     * @param seqMode null when the connection has not sent a chunk yet
     */
    CompletableFuture<Reclaim> reclaim(RecordingId id, long epoch, String contentType, Mode mode, String metadataJson,
                                       SeqMode seqMode);

    /**
     * Stops the recording if every index is stored or void (STOPPED with chunks, bytes and the void indices);
     * INCOMPLETE lists the missing ones; AHEAD or BEHIND when {@code lastSeq} disagrees with the counter.
     *
     * @param epoch   the owner's epoch, or null for a server-side stop
     * @param lastSeq the client's lastSeq, or null
     */
    CompletableFuture<StopOutcome> stop(RecordingId id, Long epoch, Long lastSeq);

    /**
     * Aborts the recording (from RECORDING, STALLED or STOPPED); a repeated abort by the same owner answers ABORTED
     * again. Deleting its chunks is the caller's next step.
     *
     * @param epoch the owner's epoch, or null for a server-side abort
     */
    CompletableFuture<AbortOutcome> abort(RecordingId id, Long epoch);
}
