package dev.recingest.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where the CPU of a live load goes, from {@code /proc} (Linux only): CPU seconds of this JVM's threads, grouped by
 * thread name (digits and recording ids taken out, so the live threads of all recordings add up to one row), of the
 * FFmpeg and ffprobe processes this JVM started (those that exited included: {@code cutime} of this JVM, which waits
 * for them), of the Redis server it started, and of the whole machine. Two snapshots give the CPU spent between them.
 */
final class CpuProfile {

    /** Clock ticks a second ({@code getconf CLK_TCK}: 100 on every Linux this runs on). */
    private static final double TICKS = 100.0;

    /** CPU seconds so far, by what spent them ({@code jvm}, {@code jvm:<thread group>}, {@code ffmpeg}, ...). */
    record Snapshot(long nanos, Map<String, Double> seconds) {

        /** What was spent from {@code before} to this one, per second of wall time when {@code perSecond}. */
        Map<String, Double> minus(Snapshot before) {
            Map<String, Double> d = new LinkedHashMap<>();
            seconds.forEach((k, v) -> d.put(k, v - before.seconds.getOrDefault(k, 0.0)));
            // threads and processes that ended in between: what they spent before is not in this snapshot
            d.replaceAll((k, v) -> Math.max(0, v));
            return d;
        }

        double wallSeconds(Snapshot before) {
            return (nanos - before.nanos) / 1e9;
        }
    }

    private CpuProfile() {
    }

    static Snapshot take() {
        Map<String, Double> s = new HashMap<>();
        long[] self = stat(Path.of("/proc/self/stat"));
        s.put("jvm", (self[0] + self[1]) / TICKS);
        // children waited for: the FFmpeg/ffprobe processes that ended (and anything else this JVM ran)
        s.put("children ended", (self[2] + self[3]) / TICKS);
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            tasks.forEach(t -> {
                long[] st = stat(t.resolve("stat"));
                if (st != null) {
                    s.merge("jvm:" + group(comm(t)), (st[0] + st[1]) / TICKS, Double::sum);
                }
            });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ProcessHandle.current().descendants().forEach(p -> {
            String cmd = p.info().command().orElse("");
            String name = cmd.endsWith("ffmpeg") ? "ffmpeg running" : cmd.endsWith("ffprobe") ? "ffprobe running"
                    : cmd.contains("redis-server") ? "redis-server" : "other children running";
            long[] st = stat(Path.of("/proc/" + p.pid() + "/stat"));
            if (st != null) {
                s.merge(name, (st[0] + st[1]) / TICKS, Double::sum);
            }
        });
        s.put("machine busy", machineBusy());
        return new Snapshot(System.nanoTime(), s);
    }

    /** A table of the CPU spent between two snapshots, largest first, in cores (CPU seconds per wall second). */
    static String table(Snapshot before, Snapshot after, int top) {
        double wall = after.wallSeconds(before);
        Map<String, Double> d = after.minus(before);
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "over %.1f s of wall time (CPU s, cores):", wall));
        List<Map.Entry<String, Double>> rows = d.entrySet().stream()
                .filter(e -> !e.getKey().startsWith("jvm:") || e.getValue() >= 0.05)
                .sorted((x, y) -> Double.compare(y.getValue(), x.getValue())).toList();
        int jvmRows = 0;
        for (Map.Entry<String, Double> e : rows) {
            if (e.getKey().startsWith("jvm:") && jvmRows++ >= top) {
                continue;
            }
            b.append(String.format(Locale.ROOT, "%n    %-40s %8.2f s  %5.2f", e.getKey(), e.getValue(), e.getValue() / wall));
        }
        return b.toString();
    }

    /** One line of a timeline: cores busy between two snapshots, on the machine, in this JVM, in FFmpeg. */
    static String tick(Snapshot start, Snapshot before, Snapshot after, int renditions, int starting) {
        double wall = after.wallSeconds(before);
        Map<String, Double> d = after.minus(before);
        double ffmpeg = d.getOrDefault("ffmpeg running", 0.0) + d.getOrDefault("ffprobe running", 0.0)
                + d.getOrDefault("children ended", 0.0);
        return String.format(Locale.ROOT, "%n    t=%5.0f s  %4.2f / %4.2f / %4.2f cores, %d renditions (%d starting)",
                after.wallSeconds(start), d.get("machine busy") / wall, d.get("jvm") / wall, ffmpeg / wall, renditions,
                starting);
    }

    /**
     * CPU seconds the merger spent between two snapshots: FFmpeg and ffprobe (running and ended) plus, with
     * {@code liveThreadsOnly}, the live worker's own threads ({@code live-*}: renditions, feeds, FFmpeg's stderr,
     * the lease scheduler), or else the whole JVM but the S3 server's threads (s3proxy's Jetty, {@code qtp*}) and
     * the benchmark's recorders and poller ({@code pool-*}, {@code main}): an upper bound, since the Redis and S3
     * clients' threads (Lettuce, the SDK's Netty) also serve the recorders.
     */
    static double mergerSeconds(Snapshot before, Snapshot after, boolean liveThreadsOnly) {
        Map<String, Double> d = after.minus(before);
        double sum = d.getOrDefault("ffmpeg running", 0.0) + d.getOrDefault("ffprobe running", 0.0)
                + d.getOrDefault("children ended", 0.0);
        if (liveThreadsOnly) {
            for (Map.Entry<String, Double> e : d.entrySet()) {
                if (e.getKey().startsWith("jvm:live-")) {
                    sum += e.getValue();
                }
            }
            return sum;
        }
        sum += d.getOrDefault("jvm", 0.0);
        for (Map.Entry<String, Double> e : d.entrySet()) {
            if (e.getKey().startsWith("jvm:S#Proxy") || e.getKey().startsWith("jvm:pool-") || e.getKey().equals("jvm:java")) {
                sum -= e.getValue();
            }
        }
        return sum;
    }

    /**
     * utime, stime, cutime, cstime (ticks) from a {@code /proc/.../stat} file, or null if the task or process is
     * gone. The one reader of these files in the benchmarks ({@link ResumeBreakdown} too).
     */
    static long[] stat(Path p) {
        String line;
        try {
            line = Files.readString(p);
        } catch (IOException e) {
            return null;
        }
        // the command name may hold spaces and parentheses: the fields follow the last ')'
        String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
        // f[0] is field 3 (state): utime is field 14
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14])};
    }

    private static String comm(Path task) {
        try {
            return Files.readString(task.resolve("comm")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    /** A thread's name with what differs between threads of one kind taken out (recording ids, numbers). */
    static String group(String comm) {
        String g = comm.replaceAll("live-load-\\d*", "*").replaceAll("live-lo.*", "*").replaceAll("\\d+", "#");
        return g.isEmpty() ? "?" : g;
    }

    /** Busy CPU seconds of the whole machine (all cores: user, nice, system, irq, softirq, steal). */
    private static double machineBusy() {
        long[] m = machineTicks();
        return m[1] == 0 ? Double.NaN : m[0] / TICKS;
    }

    /**
     * The machine's {busy, total} clock ticks since boot over all cores, from {@code /proc/stat}: busy = user, nice,
     * system, irq, softirq, steal; total adds idle and iowait (guest time is already in user and nice). {0, 0} if
     * unreadable.
     */
    static long[] machineTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                    + Long.parseLong(f[7]) + (f.length > 8 ? Long.parseLong(f[8]) : 0);
            return new long[] {busy, busy + Long.parseLong(f[4]) + Long.parseLong(f[5])};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }
}
