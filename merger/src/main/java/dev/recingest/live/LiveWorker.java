package dev.recingest.live;

import dev.recingest.config.HostName;
import dev.recingest.events.EventPublisher;
import dev.recingest.media.FfmpegBinaries;
import dev.recingest.merge.FfmpegCapabilities;
import dev.recingest.merge.WorkSpace;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.LiveIndex;
import dev.recingest.state.RecordingStore;
import dev.recingest.storage.ChunkStore;
import dev.recingest.storage.MultipartUploads;
import dev.recingest.storage.OutputStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders recordings live on this merger: every {@code RECINGEST_LIVE_POLL} it looks at the recordings due in the
 * live index ({@link LiveIndex}) and takes the lease of as many as it has room for ({@code RECINGEST_LIVE_MAX_RECORDINGS}),
 * each then rendered by a {@link Rendition} on threads of its own until it is finished, lost or this worker stops.
 * Any merger may take any recording: one whose merger died is taken over once its lease runs out.
 *
 * <p>Starting is gated ({@code RECINGEST_LIVE_MAX_STARTING}): a lease is taken only while fewer renditions here are
 * starting (from their lease to their FFmpeg running). Starting is the expensive part of a rendition (storage reads,
 * a probe, an FFmpeg process); 100 to 200 of them at once on 2 cores starved the merger until leases lapsed, and
 * the renditions those losses restarted made the burst longer. Recordings not taken stay due, for the next poll
 * here or another merger.
 *
 * <p>Meters: {@code recingest_live_renditions_active} (running here), {@code recingest_live_renditions_starting}
 * (of those, starting), {@code recingest_live_renditions_total{outcome}}.
 */
public final class LiveWorker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LiveWorker.class);

    private final LiveConfig config;
    private final LiveIndex index;
    private final Rendition.Services services;
    private final String owner;
    private final Map<RecordingId, Rendition> running = new ConcurrentHashMap<>();
    /** Renditions here that have taken their lease and have no FFmpeg running yet. */
    private final Set<RecordingId> starting = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService scheduler;
    /**
     * Looks for recordings to take, on a thread of its own: a look waits for Redis (the due list, each lease taken),
     * and on the renewals' threads it held them up (with 200 renditions on a loaded machine, renewals came too late
     * and leases lapsed).
     */
    private final ScheduledExecutorService looker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "live-look");
        t.setDaemon(true);
        return t;
    });
    private final MeterRegistry registry;
    private volatile boolean stopped;

    private LiveWorker(LiveConfig config, LiveIndex index, Rendition.Services services, ScheduledExecutorService scheduler,
                       MeterRegistry registry) {
        this.config = config;
        this.index = index;
        this.services = services;
        this.scheduler = scheduler;
        this.registry = registry;
        this.owner = HostName.current("merger") + "-" + ProcessHandle.current().pid();
        Gauge.builder("recingest_live_renditions_active", running, Map::size)
                .description("recordings this merger renders live now").register(registry);
        Gauge.builder("recingest_live_renditions_starting", starting, Set::size)
                .description("renditions this merger is starting (lease taken, FFmpeg not running yet)").register(registry);
    }

    /**
     * Starts rendering (nothing when {@code config} is disabled).
     *
     * @param workSpace the merger's work folder: each rendition keeps its held-back MP4 head and tail there
     */
    public static LiveWorker start(LiveConfig config, RecordingStore recordings, ChunkStore chunks, OutputStore outputs,
                                   MultipartUploads uploads, EventPublisher events, WorkSpace workSpace,
                                   MeterRegistry registry) {
        return start(config, recordings, chunks, outputs, uploads, events, workSpace, registry, MultipartUploads.MIN_PART);
    }

    /** {@link #start} with MP4 parts of {@code minPart} bytes (tests: an upload begins after a few seconds of media). */
    static LiveWorker start(LiveConfig config, RecordingStore recordings, ChunkStore chunks, OutputStore outputs,
                            MultipartUploads uploads, EventPublisher events, WorkSpace workSpace,
                            MeterRegistry registry, long minPart) {
        FfmpegBinaries binaries = FfmpegBinaries.locate();
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "live-scheduler");
            t.setDaemon(true);
            return t;
        });
        Path dir;
        try {
            dir = workSpace.attemptFolder(RecordingId.of("live"), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Rendition.Services s = new Rendition.Services(config, recordings, chunks, outputs, uploads, events, binaries,
                config.enabled() ? FfmpegCapabilities.detect(binaries.ffmpeg()) : null, scheduler, dir,
                minPart, Clock.systemUTC());
        LiveWorker w = new LiveWorker(config, recordings.liveIndex(), s, scheduler, registry);
        if (config.enabled() && config.maxRecordings() > 0) {
            w.looker.scheduleWithFixedDelay(w::look, 0, config.poll().toMillis(), TimeUnit.MILLISECONDS);
            LOG.atInfo().addKeyValue("maxRecordings", config.maxRecordings())
                    .addKeyValue("segmentDurationMs", config.segmentDuration().toMillis())
                    .addKeyValue("leaseMs", config.lease().toMillis()).addKeyValue("pollMs", config.poll().toMillis())
                    .log("live worker started");
        }
        return w;
    }

    /** Takes the due recordings this worker has room for, as many as may start at once. */
    private void look() {
        if (stopped) {
            return;
        }
        int room = Math.min(config.maxRecordings() - running.size(), config.maxStarting() - starting.size());
        if (room <= 0) {
            return;
        }
        try {
            List<String> due = index.due(room + running.size()).get(10, TimeUnit.SECONDS);
            for (String v : due) {
                if (running.size() >= config.maxRecordings() || starting.size() >= config.maxStarting() || stopped) {
                    break;
                }
                RecordingId id;
                try {
                    id = RecordingId.of(v);
                } catch (IllegalArgumentException e) {
                    index.forget(v);
                    continue;
                }
                if (running.containsKey(id)) {
                    continue;
                }
                String token = owner + "-" + UUID.randomUUID();
                if (!index.acquire(id, token, config.lease()).get(10, TimeUnit.SECONDS)) {
                    continue;
                }
                start(id, new LiveLease(index, id, token, config.lease()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.atWarn().addKeyValue("error", e.toString()).log("live index not read");
        }
    }

    private void start(RecordingId id, LiveLease lease) {
        starting.add(id);
        Rendition r = new Rendition(services, id, lease, () -> starting.remove(id), outcome -> {
            starting.remove(id);
            running.remove(id);
            registry.counter("recingest_live_renditions_total", "outcome", outcome).increment();
        });
        running.put(id, r);
        // A recording started but not sent a chunk yet keeps its rendition waiting for it: after a lease's time it
        // no longer counts as starting, so that a few such recordings cannot hold every other start back.
        scheduler.schedule(() -> {
            if (running.get(id) == r) {
                starting.remove(id);
            }
        }, config.lease().toMillis(), TimeUnit.MILLISECONDS);
        // The rendition's own thread starts FFmpeg and outlives it (FFmpeg dies with the thread that started it).
        Thread t = new Thread(r, "live-" + id.value());
        t.setDaemon(true);
        t.start();
    }

    /** Recordings rendered here now (for tests and the benchmark). */
    public int renditions() {
        return running.size();
    }

    /** Of {@link #renditions}, those starting (lease taken, FFmpeg not running yet). */
    public int starting() {
        return starting.size();
    }

    /** Stops every rendition here (their FFmpeg is killed, their leases released for another merger to take over). */
    @Override
    public void close() {
        stopped = true;
        List<Rendition> all = new ArrayList<>(running.values());
        all.forEach(Rendition::stop);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!running.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        looker.shutdownNow();
        scheduler.shutdownNow();
        if (config.enabled()) {
            LOG.atInfo().addKeyValue("renditionsLeft", running.size()).log("live worker stopped");
        }
    }
}
