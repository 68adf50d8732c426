package dev.recingest.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The connections benchmark's figures and their Markdown tables (pure arithmetic, unit-tested). */
final class ConnTables {

    private ConnTables() {
    }

    /** One ramp step, measured once every recording of it was open and idle, after a full GC. */
    record Step(int connections, ConnLoad.Opened opened, int stillOpen, GatewayProcess.Memory memory) {
    }

    /** The active phase: every open recording sending a small chunk at a fixed interval. */
    record Active(int connections, long intervalMillis, int chunkBytes, long millis, long offered, long acked,
                  long nacked, long failed, Map<String, Long> errors, double p50, double p99, long maxHeapBytes,
                  long heapAfterGcBytes, int stillOpen, Map<Integer, Integer> closeCodes) {

        double offeredPerSecond() {
            return offered * 1000.0 / millis;
        }
    }

    /** Heap held per connection in KiB: (heap - baseline) / connections; NaN without connections. */
    static double kibPerConnection(long heapBytes, long baselineBytes, int connections) {
        return connections <= 0 ? Double.NaN : (heapBytes - baselineBytes) / 1024.0 / connections;
    }

    static String steps(GatewayProcess.Memory baseline, List<Step> steps) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Gateway JVM with 0 connections, after a full GC: heap %.1f MiB, JDK direct"
                + " %.1f MiB, Netty pooled direct %.1f MiB, RSS %.0f MiB%n%n", mib(baseline.heapBytes()),
                mib(baseline.directBytes()), mib(baseline.pooledDirectBytes()), mib(baseline.rssBytes())));
        b.append("| connections | opened OK (this step) | failed | still open | gateway heap after GC MiB | heap per connection KiB"
                + " (vs 0) | marginal KiB per connection (vs previous step) | JDK direct MiB | Netty pooled direct MiB"
                + " | gateway RSS MiB | time to open s | failure reasons |\n");
        b.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        GatewayProcess.Memory previous = baseline;
        int previousOpen = 0;
        for (Step s : steps) {
            GatewayProcess.Memory m = s.memory();
            b.append(String.format(Locale.ROOT, "| %d | %d | %d | %d | %.1f | **%.1f** | %.1f | %.1f | %.1f | %.0f | %.1f | %s |%n",
                    s.connections(), s.opened().ok(), s.opened().failed(), s.stillOpen(), mib(m.heapBytes()),
                    kibPerConnection(m.heapBytes(), baseline.heapBytes(), s.stillOpen()),
                    kibPerConnection(m.heapBytes(), previous.heapBytes(), s.stillOpen() - previousOpen),
                    mib(m.directBytes()), mib(m.pooledDirectBytes()), mib(m.rssBytes()), s.opened().millis() / 1000.0,
                    s.opened().reasons().isEmpty() ? "-" : s.opened().reasons().toString()));
            previous = m;
            previousOpen = s.stillOpen();
        }
        return b.toString();
    }

    static String active(Active a) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Active phase: %d recordings x one %s chunk every %.1f s (random phase) ="
                        + " %.0f chunks/s offered for %.0f s%n%n", a.connections(), Report.size(a.chunkBytes()),
                a.intervalMillis() / 1000.0, a.connections() * 1000.0 / a.intervalMillis(), a.millis() / 1000.0));
        b.append("| connections | interval s | chunk | offered chunks/s | offered | acked | nacked | failed sends"
                + " | errors | ack p50 ms | ack p99 ms | gateway heap max sampled MiB (garbage included) | gateway heap after GC"
                + " after the phase MiB | still open after | close codes |\n");
        b.append("|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---|\n");
        b.append(String.format(Locale.ROOT, "| %d | %.1f | %s | %.0f | %d | %d | %d | %d | %s | %.1f | %.1f | %.1f | %.1f | %d | %s |%n",
                a.connections(), a.intervalMillis() / 1000.0, Report.size(a.chunkBytes()), a.offeredPerSecond(),
                a.offered(), a.acked(), a.nacked(), a.failed(), a.errors().isEmpty() ? "-" : a.errors().toString(),
                a.p50(), a.p99(), mib(a.maxHeapBytes()), mib(a.heapAfterGcBytes()), a.stillOpen(),
                a.closeCodes().isEmpty() ? "-" : a.closeCodes().toString()));
        return b.toString();
    }

    static double mib(long bytes) {
        return bytes < 0 ? Double.NaN : bytes / (1024.0 * 1024.0);
    }
}
