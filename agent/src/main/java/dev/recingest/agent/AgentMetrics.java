package dev.recingest.agent;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToDoubleFunction;

/**
 * One recording's Prometheus metrics, tagged {@code recording}: segments spooled and acked, bytes in the
 * spool, source drops and reconnects, parts started.
 */
final class AgentMetrics {

    private final Counter spooled;
    private final Counter spooledBytes;
    private final Counter acked;
    private final Counter ackedBytes;
    private final Counter drops;
    private final Counter reconnects;
    private final Counter parts;

    AgentMetrics(MeterRegistry registry, String recordingId, Spool spool) {
        spooled = counter(registry, "recingest_agent_segments_spooled", recordingId, "segments FFmpeg finished and the spool adopted");
        spooledBytes = counter(registry, "recingest_agent_spooled_bytes", recordingId, "bytes of those segments");
        acked = counter(registry, "recingest_agent_segments_acked", recordingId, "segments the gateway acked (and the spool deleted)");
        ackedBytes = counter(registry, "recingest_agent_acked_bytes", recordingId, "bytes of those segments");
        drops = counter(registry, "recingest_agent_source_drops", recordingId, "times the source stalled or its FFmpeg ended before the recording did");
        reconnects = counter(registry, "recingest_agent_source_reconnects", recordingId, "FFmpeg runs started after a drop");
        parts = counter(registry, "recingest_agent_parts", recordingId, "parts started (a new FFmpeg run after media was recorded)");
        gauge(registry, "recingest_agent_spool_bytes", recordingId, spool, Spool::bytes, "bytes in the spool not acked yet");
    }

    void spooled(long bytes) {
        spooled.increment();
        spooledBytes.increment(bytes);
    }

    void acked(long bytes) {
        acked.increment();
        ackedBytes.increment(bytes);
    }

    void drop() {
        drops.increment();
    }

    void reconnect() {
        reconnects.increment();
    }

    void part() {
        parts.increment();
    }

    private static Counter counter(MeterRegistry r, String name, String id, String help) {
        // Micrometer adds "_total" to counters in the Prometheus format.
        return Counter.builder(name).tag("recording", id).description(help).register(r);
    }

    private static <T> void gauge(MeterRegistry r, String name, String id, T obj, ToDoubleFunction<T> f, String help) {
        Gauge.builder(name, obj, f).tag("recording", id).description(help).register(r);
    }
}
