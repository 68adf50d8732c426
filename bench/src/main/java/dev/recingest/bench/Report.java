package dev.recingest.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The suite's tables, as Markdown (readable on a terminal and pasteable into BENCHMARKS.md). */
final class Report {

    private Report() {
    }

    static String size(int bytes) {
        return bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : (bytes >> 10) + " KiB";
    }

    static String throughput(List<Throughput.Cell> cells) {
        StringBuilder b = new StringBuilder();
        b.append("| N | chunk | gateway MB/s | gateway chunks/s | direct S3 MB/s | direct chunks/s | ratio gw/direct"
                + " | CPU ms per MB gw/direct | failures gw/direct | gateway nacks (resent) |\n");
        b.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (var c : cells) {
            b.append(String.format(Locale.ROOT, "| %d | %s | %.1f | %.0f | %.1f | %.0f | **%.2f** | %.1f/%.1f | %d/%d | %d |%n",
                    c.recorders(), size(c.chunkBytes()), c.gateway().mbPerSecond(), c.gateway().chunksPerSecond(),
                    c.direct().mbPerSecond(), c.direct().chunksPerSecond(), c.ratio(), c.gateway().cpuMillisPerMb(),
                    c.direct().cpuMillisPerMb(), c.gateway().failures(), c.direct().failures(), c.gateway().nacks()));
        }
        return b.toString();
    }

    static String redis(List<Throughput.Cell> cells) {
        StringBuilder b = new StringBuilder();
        b.append("| N | chunk | round trips per chunk (EVAL/EVALSHA + top-level) | Redis commands per chunk (incl. inside"
                + " scripts) | by command (per chunk) | Redis CPU (share of one core) |\n");
        b.append("|---:|---:|---:|---:|---|---:|\n");
        for (var c : cells) {
            Map<String, Double> per = c.redis().perChunk();
            String by = per.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .filter(e -> e.getValue() >= 0.005)
                    .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue()))
                    .collect(Collectors.joining(", "));
            b.append(String.format(Locale.ROOT, "| %d | %s | %.2f | %.2f | %s | %.1f%% |%n", c.recorders(),
                    size(c.chunkBytes()), c.redis().roundTripsPerChunk(), c.redis().commandsPerChunk(), by,
                    100 * c.redis().cpuShareOfOneCore()));
        }
        return b.toString();
    }

    static String latency(Latency.Result r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Offered load: %d recordings x %.1f chunks/s x %s = %.1f MB/s%n%n",
                r.recorders(), r.chunksPerSecondEach(), size(r.chunkBytes()),
                r.recorders() * r.chunksPerSecondEach() * r.chunkBytes() / 1e6));
        b.append("| path | p50 ms | p99 ms | p99.9 ms | samples | skipped/failed |\n|---|---:|---:|---:|---:|---:|\n");
        row(b, "gateway (sent to ack)", r.gateway());
        row(b, "direct S3 PUT", r.direct());
        b.append(String.format(Locale.ROOT, "%np99 gateway - p99 direct = %.1f ms (target <= 10 ms)%n",
                r.gateway().p99() - r.direct().p99()));
        return b.toString();
    }

    private static void row(StringBuilder b, String name, Latency.Percentiles p) {
        b.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %d | %d |%n", name, p.p50(), p.p99(),
                p.p999(), p.samples(), p.failures()));
    }
}
