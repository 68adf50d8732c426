package dev.recingest.gateway.janitor;

import dev.recingest.durable.Endings;
import dev.recingest.durable.Reconciler;
import dev.recingest.events.EventPublisher;
import dev.recingest.events.EventType;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.JanitorLock;
import dev.recingest.state.OpenRecordings;
import dev.recingest.state.OpenRecordings.Due;
import dev.recingest.state.OpenRecordings.Sweep;
import dev.recingest.state.RecordingState;
import dev.recingest.state.RecordingStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stalls and auto-stops recordings that no chunk reaches, and re-queues merges that were lost between a
 * stop and its queue. Every gateway runs one; the {@link JanitorLock} lets one of them sweep at a time.
 *
 * <p>A pass takes the recordings due in the open index ({@link OpenRecordings#due}), sweeps each with one
 * script (STALLED after the stall timeout, auto-stop after the idle timeout), and reschedules it for the
 * next moment it could need the janitor: a live recording at its last activity plus the stall timeout,
 * a stalled one at the earlier of its auto-stop and one stall timeout from now (a chunk may have revived
 * it meanwhile, and it may stall again). A recording that left the open states is removed, once its merge
 * is known to be queued. Failures leave entries due, so the next pass tries them again.
 *
 * <p>A pass can outlast the lock's ttl (a backlog of batches, each allowed 30 s): while one runs, the lock
 * is renewed every third of its ttl from a thread of its own, and a pass that finds the lock taken by
 * another janitor (it could not be renewed in time) stops after its current batch.
 */
public final class Janitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Janitor.class);
    private static final int BATCH = 500;
    private static final int MAX_BATCHES_PER_PASS = 20;
    private static final long REDIS_WAIT_SECONDS = 30;

    private final JanitorConfig config;
    private final RecordingStore store;
    private final Reconciler reconciler;
    private final Endings endings;
    private final EventPublisher events;
    private final OpenRecordings open;
    private final JanitorLock lock;
    private final Clock clock;
    private final Counter stalled;
    private final Counter autoStopped;
    private final Counter failed;
    private final Counter requeued;
    private final Counter restored;
    private final MergeAudit audit;
    private volatile long nextAudit;
    private ScheduledExecutorService scheduler;
    private ScheduledExecutorService renewer;
    private volatile boolean everHeld;

    /**
     * @param endings what follows an auto-stop (the stop recorded in storage, the merge, recording.stopped)
     * @param events  where recording.stalled goes
     */
    public Janitor(JanitorConfig config, RecordingStore store, Reconciler reconciler, Endings endings,
                   EventPublisher events, Clock clock, MeterRegistry registry) {
        this.config = config;
        this.events = events;
        this.store = store;
        this.reconciler = reconciler;
        this.endings = endings;
        this.open = store.openRecordings();
        this.lock = store.janitorLock(config.lockTtl());
        this.clock = clock;
        this.stalled = counter(registry, "stalled");
        this.autoStopped = counter(registry, "auto_stopped");
        this.failed = counter(registry, "auto_stop_failed");
        this.requeued = counter(registry, "merge_requeued");
        this.restored = counter(registry, "merge_restored");
        this.audit = new MergeAudit(store, reconciler, endings, config.stallTimeout());
    }

    private static Counter counter(MeterRegistry registry, String event) {
        return Counter.builder("recingest.janitor").tag("event", event).register(registry);
    }

    /** Runs a pass every {@code interval} on a thread of its own. */
    public synchronized void start() {
        if (scheduler != null || !config.enabled()) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "janitor");
            t.setDaemon(true);
            return t;
        });
        long every = config.interval().toMillis();
        scheduler.scheduleWithFixedDelay(this::passQuietly, every, every, TimeUnit.MILLISECONDS);
        LOG.atInfo().addKeyValue("stallTimeout", config.stallTimeout()).addKeyValue("idleTimeout", config.idleTimeout())
                .addKeyValue("interval", config.interval()).log("janitor started");
    }

    private void passQuietly() {
        try {
            runOnce();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.atWarn().addKeyValue("error", e.toString()).log("janitor pass failed");
        }
    }

    /**
     * One pass, if this janitor holds (or can take) the lock.
     *
     * @return how many recordings were swept, or -1 if another janitor holds the lock
     */
    public int runOnce() throws Exception {
        if (!lock.acquire().get(REDIS_WAIT_SECONDS, TimeUnit.SECONDS)) {
            return -1;
        }
        everHeld = true;
        AtomicBoolean lost = new AtomicBoolean();
        long every = Math.max(1, config.lockTtl().toMillis() / 3);
        ScheduledFuture<?> renewal = renewer().scheduleAtFixedRate(() -> renew(lost), every, every, TimeUnit.MILLISECONDS);
        try {
            return sweep(lost);
        } finally {
            renewal.cancel(false);
        }
    }

    private int sweep(AtomicBoolean lost) throws Exception {
        long now = clock.millis();
        int swept = 0;
        for (int batch = 0; batch < MAX_BATCHES_PER_PASS; batch++) {
            if (lost.get()) {
                LOG.atWarn().addKeyValue("swept", swept).addKeyValue("reason", "another janitor holds it; this pass stops")
                        .log("janitor lock lost");
                break;
            }
            List<Due> due = open.due(now, BATCH).get(REDIS_WAIT_SECONDS, TimeUnit.SECONDS);
            List<CompletableFuture<Void>> steps = new ArrayList<>(due.size());
            for (Due d : due) {
                steps.add(step(d, now).exceptionally(e -> {
                    LOG.atWarn().addKeyValue("recording", d.recordingId()).addKeyValue("error", e.toString())
                            .log("janitor step failed");
                    return null;
                }));
            }
            CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new)).get(REDIS_WAIT_SECONDS, TimeUnit.SECONDS);
            swept += due.size();
            if (due.size() < BATCH) {
                break;
            }
        }
        if (now >= nextAudit) {
            // Once per stall timeout: merges storage says are owed that Redis lost track of.
            nextAudit = now + config.stallTimeout().toMillis();
            int back = audit.run(clock.instant()).get(REDIS_WAIT_SECONDS, TimeUnit.SECONDS);
            restored.increment(back);
        }
        return swept;
    }

    /** Keeps the lock for the pass under way; marks it lost when another janitor has it. */
    private void renew(AtomicBoolean lost) {
        try {
            if (!lock.acquire().get(config.lockTtl().toMillis(), TimeUnit.MILLISECONDS)) {
                lost.set(true);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Redis did not answer this time: the ttl outlasts two more tries.
            LOG.atWarn().addKeyValue("error", e.toString()).log("janitor lock not renewed");
        }
    }

    private synchronized ScheduledExecutorService renewer() {
        if (renewer == null) {
            renewer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "janitor-lock");
                t.setDaemon(true);
                return t;
            });
        }
        return renewer;
    }

    private CompletableFuture<Void> step(Due d, long now) {
        if (!RecordingId.PATTERN.matcher(d.recordingId()).matches()) {
            return open.forget(d).thenApply(x -> null); // cannot happen through start; never becomes a key
        }
        RecordingId id = RecordingId.of(d.recordingId());
        long stall = config.stallTimeout().toMillis();
        long idle = config.idleTimeout().toMillis();
        return open.sweep(id, now - stall, now - idle, now, false).thenCompose(s -> switch (s.kind()) {
            case IDLE -> reconciler.reconcile(id, 0).thenCompose(r -> r.ended() != null
                    ? open.forget(d).thenApply(x -> (Void) null) // storage says it ended; Redis agrees now
                    : open.sweep(id, now - stall, now - idle, now, true).thenCompose(again -> swept(d, id, again, now)));
            default -> swept(d, id, s, now);
        });
    }

    private CompletableFuture<Void> swept(Due d, RecordingId id, Sweep s, long now) {
        long stall = config.stallTimeout().toMillis();
        long idle = config.idleTimeout().toMillis();
        return switch (s.kind()) {
            case ACTIVE, IDLE -> open.reschedule(d.recordingId(), s.lastActivity() + stall);
            case STALLED -> {
                if (s.changed()) {
                    stalled.increment();
                    LOG.atInfo().addKeyValue("recording", id).addKeyValue("lastActivityMs", s.lastActivity())
                            .log("recording stalled");
                    events.announce(EventType.STALLED, id);
                }
                yield open.reschedule(d.recordingId(), Math.min(s.lastActivity() + idle, now + stall));
            }
            case STOPPED -> {
                autoStopped.increment();
                LOG.atInfo().addKeyValue("recording", id).addKeyValue("chunks", s.chunks()).addKeyValue("void", s.indices())
                        .log("recording stopped by the janitor");
                yield endings.stopped(id).thenCompose(x -> open.forget(d)).thenApply(x -> null);
            }
            case FAILED -> {
                failed.increment();
                LOG.atWarn().addKeyValue("recording", id).addKeyValue("code", "MISSING_CHUNKS").addKeyValue("chunks", s.chunks())
                        .addKeyValue("missing", s.indices()).log("recording failed at the janitor's stop");
                yield endings.failed(id).thenCompose(x -> open.forget(d)).thenApply(x -> null);
            }
            case NOT_OPEN -> lostMerge(d, id, s, now);
            case UNKNOWN -> open.forget(d).thenApply(x -> null);
        };
    }

    /** A STOPPED recording whose merge was never marked queued gets it queued once the grace is over. */
    private CompletableFuture<Void> lostMerge(Due d, RecordingId id, Sweep s, long now) {
        if (s.state() != RecordingState.STOPPED || s.mergeQueuedAt() >= 0) {
            return open.forget(d).thenApply(x -> null);
        }
        long graceEnds = Math.max(s.stoppedAt(), 0) + config.stallTimeout().toMillis();
        if (graceEnds > now) {
            return open.reschedule(d.recordingId(), graceEnds);
        }
        requeued.increment();
        LOG.atWarn().addKeyValue("recording", id).addKeyValue("stoppedAtMs", s.stoppedAt())
                .addKeyValue("reason", "stopped without a merge job").log("merge queued again");
        // Storage first: the merger may have finished before Redis lost its outcome. Then the stop as any stop
        // ends: recorded in storage (it may never have been), the merge queued.
        return reconciler.reconcile(id, 0).thenCompose(r -> endings.stopped(id))
                .thenCompose(x -> open.forget(d)).thenApply(x -> null);
    }

    /** Stops the passes and gives the lock up, so another gateway's janitor takes over at once. */
    @Override
    public synchronized void close() {
        try {
            if (scheduler != null) {
                scheduler.shutdownNow();
                scheduler.awaitTermination(5, TimeUnit.SECONDS);
                scheduler = null;
            }
            if (renewer != null) {
                renewer.shutdownNow();
                renewer = null;
            }
            if (everHeld) {
                lock.release().get(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.atWarn().addKeyValue("error", e.toString()).log("janitor lock not released");
        }
    }
}
