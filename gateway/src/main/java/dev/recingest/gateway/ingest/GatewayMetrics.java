package dev.recingest.gateway.ingest;

import dev.recingest.protocol.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's meters, created once so the hot path only increments. Prometheus names:
 * {@code recingest_chunks_total{outcome}}, {@code recingest_chunk_bytes_total},
 * {@code recingest_ack_latency_seconds} (a histogram: {@code _bucket{le}}, {@code _sum}, {@code _count}),
 * {@code recingest_errors_total{code}},
 * {@code recingest_resume_seconds{phase}} (a histogram, see {@link #resumePhase}), {@code recingest_connections}, {@code recingest_inflight_bytes}, {@code recingest_recordings_total{event}},
 * {@code recingest_netty_direct_memory_bytes} (Netty's buffer pool, where chunk frames wait for storage:
 * the figure backpressure keeps bounded, since frames are not on the Java heap).
 */
public final class GatewayMetrics {

    /** Bucket bounds of the ack latency histogram: a fast local store at a few ms, a slow S3 at seconds. */
    static final Duration[] ACK_LATENCY_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
        Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private final Counter acked;
    private final Counter nacked;
    private final Counter dropped;
    private final Counter chunkBytes;
    private final Timer ackLatency;
    private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);
    private final Counter started;
    private final Counter resumed;
    private final Counter stopped;
    private final Counter aborted;
    private final Counter parts;
    private final AtomicLong connections = new AtomicLong();
    private final MeterRegistry registry;
    private final Map<String, Timer> resumePhases = new ConcurrentHashMap<>();

    public GatewayMetrics(MeterRegistry registry, AtomicLong inflightBytes) {
        this.registry = registry;
        acked = Counter.builder("recingest.chunks").tag("outcome", "acked").register(registry);
        nacked = Counter.builder("recingest.chunks").tag("outcome", "nacked").register(registry);
        dropped = Counter.builder("recingest.chunks").tag("outcome", "dropped").register(registry);
        chunkBytes = Counter.builder("recingest.chunk.bytes").baseUnit("bytes")
                .description("payload bytes of acked chunks").register(registry);
        // Fixed buckets, not client-side percentiles: buckets add up across gateways, so
        // histogram_quantile over sum by (le) gives the cluster's quantiles.
        ackLatency = Timer.builder("recingest.ack.latency").description("chunk received to ack sent")
                .serviceLevelObjectives(ACK_LATENCY_BUCKETS).register(registry);
        for (ErrorCode c : ErrorCode.values()) {
            errors.put(c, Counter.builder("recingest.errors").tag("code", c.name()).register(registry));
        }
        started = Counter.builder("recingest.recordings").tag("event", "started").register(registry);
        resumed = Counter.builder("recingest.recordings").tag("event", "resumed").register(registry);
        stopped = Counter.builder("recingest.recordings").tag("event", "stopped").register(registry);
        aborted = Counter.builder("recingest.recordings").tag("event", "aborted").register(registry);
        parts = Counter.builder("recingest.recordings").tag("event", "part").register(registry);
        registry.gauge("recingest.connections", connections);
        registry.gauge("recingest.inflight.bytes", inflightBytes);
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider pool) {
            Gauge.builder("recingest.netty.direct.memory", pool, p -> p.metric().usedDirectMemory())
                    .baseUnit(BaseUnits.BYTES).description("direct memory held by Netty's buffer pool")
                    .register(registry);
        }
    }

    /** Counts a chunk's answer: acked (bytes, latency since {@code startNanos}), nacked or dropped (a gap). */
    void answered(ChunkResult result, long bytes, long startNanos) {
        if (result instanceof ChunkResult.Acked) {
            acked(bytes, startNanos);
        } else if (result instanceof ChunkResult.Nacked) {
            nacked();
        } else if (result instanceof ChunkResult.Gap) {
            dropped();
        }
    }

    void acked(long bytes, long startNanos) {
        acked.increment();
        chunkBytes.increment(bytes);
        ackLatency.record(Duration.ofNanos(System.nanoTime() - startNanos));
    }

    void nacked() {
        nacked.increment();
    }

    void dropped() {
        dropped.increment();
    }

    void error(ErrorCode code) {
        errors.get(code).increment();
    }

    void started(boolean wasResumed) {
        (wasResumed ? resumed : started).increment();
    }

    /**
     * One phase of a resume ({@link StartTiming}: {@code upgrade}, {@code start_received}, {@code auth},
     * {@code repair_point}, {@code to_event_loop}, {@code list}, {@code end_read}, {@code repair}, {@code admit},
     * {@code start_script}, and {@code total}) in {@code recingest_resume_seconds{phase}}.
     */
    void resumePhase(String phase, long nanos) {
        resumePhases.computeIfAbsent(phase, p -> Timer.builder("recingest.resume").tag("phase", p)
                .description("a resumed connection's time from accept to started, by phase")
                .serviceLevelObjectives(ACK_LATENCY_BUCKETS).register(registry)).record(Duration.ofNanos(nanos));
    }

    void stopped() {
        stopped.increment();
    }

    /** A {@code part} answered with {@code partStarted} (a new part, or the same answer again). */
    void partStarted() {
        parts.increment();
    }

    void aborted() {
        aborted.increment();
    }

    long connectionOpened() {
        return connections.incrementAndGet();
    }

    void connectionClosed() {
        connections.decrementAndGet();
    }
}
