package dev.recingest.bench;

import java.util.List;
import java.util.Locale;

/**
 * One line of the merge table: a recording merged by the merger next to the raw baseline of the same
 * chunks (ratio = merge / raw; at or under {@link #TARGET} meets the target).
 */
record MergeRow(String mode, int chunks, long bytes, Double mergedDuration, double rawDuration, double rawSeconds,
                double mergeSeconds, long peakHeapBytes, MergeLog.Phases phases, S3Floor.Result floor) {

    static final double TARGET = 1.3;

    double ratio() {
        return mergeSeconds / rawSeconds;
    }

    static String table(List<MergeRow> rows) {
        StringBuilder sb = new StringBuilder("| mode | chunks | MiB in | output duration s (merge / raw) | raw s"
                + " | merge s | ratio merge/raw | merger phases: join / upload / rest s"
                + " | S3 alone: GET chunks / PUT output s | merge / (raw + S3 alone) | merger peak heap MiB |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (MergeRow r : rows) {
            double rest = r.mergeSeconds - nanToZero(r.phases.join()) - nanToZero(r.phases.upload());
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.2f / %.2f | %.1f | %.1f | **%.2f** | %.1f / %.1f / %.1f | %.1f / %.1f | %.2f | %.0f |%n",
                    r.mode, r.chunks, r.bytes / 1048576.0, r.mergedDuration == null ? Double.NaN : r.mergedDuration,
                    r.rawDuration, r.rawSeconds, r.mergeSeconds, r.ratio(), r.phases.join(), r.phases.upload(), rest,
                    r.floor.getSeconds(), r.floor.putSeconds(), r.mergeSeconds / (r.rawSeconds + r.floor.total()),
                    r.peakHeapBytes / 1048576.0));
        }
        for (MergeRow r : rows) {
            sb.append(String.format(Locale.ROOT, "%nTarget merge/raw <= %.1f, %s: %s (%.2f)", TARGET, r.mode,
                    r.ratio() <= TARGET ? "met" : "missed", r.ratio()));
        }
        return sb.append('\n').toString();
    }

    private static double nanToZero(double d) {
        return Double.isNaN(d) ? 0 : d;
    }
}
