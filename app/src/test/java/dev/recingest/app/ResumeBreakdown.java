package dev.recingest.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link ResumeBenchmark}'s breakdown of a resume: the gateway's side, phase by phase, from the timing fields of
 * its "recording resumed" / "recording started" log lines ({@code upgradeMs=… listMs=… totalMs=…}, the gateway's
 * {@code StartTiming}); and what the machine's CPU was doing around each kill, from {@code /proc} (Linux).
 */
final class ResumeBreakdown {

    private static final Pattern PHASE = Pattern.compile(" ([a-zA-Z]+)Ms=([0-9.]+)");
    private static final Pattern RECORDING = Pattern.compile("recording=(\\S+)");

    private ResumeBreakdown() {
    }

    /** Phase to milliseconds of every start the logs hold whose line has {@code message} and whose id matches. */
    static Map<String, List<Long>> phases(List<Path> logs, String message, Pattern ids) throws IOException {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        for (Path log : logs) {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (!line.contains(" " + message + " ")) {
                    continue;
                }
                Matcher id = RECORDING.matcher(line);
                if (!id.find() || !ids.matcher(id.group(1)).matches()) {
                    continue;
                }
                Matcher m = PHASE.matcher(line);
                while (m.find()) {
                    out.computeIfAbsent(m.group(1), k -> new ArrayList<>())
                            .add(Math.round(Double.parseDouble(m.group(2))));
                }
            }
        }
        return out;
    }

    /** How many lines with {@code message} each log holds (which gateway took the resumes). */
    static Map<String, Integer> count(List<Path> logs, String message) throws IOException {
        Map<String, Integer> out = new TreeMap<>();
        for (Path log : logs) {
            int n = 0;
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.contains(" " + message + " ")) {
                    n++;
                }
            }
            out.put(log.getFileName().toString(), n);
        }
        return out;
    }

    /** Clock ticks of CPU (user + system) a process has used; -1 when it is gone. */
    static long processTicks(long pid) {
        long[] t = CpuProfile.stat(Path.of("/proc", Long.toString(pid), "stat"));
        return t == null ? -1 : t[0] + t[1];
    }

    /**
     * Samples, every 250 ms until closed, the machine's busy ticks and those of the process {@code newest} names
     * (the gateway restarted last: the one every kill's clients resume on, under least_conn).
     */
    static final class CpuSampler implements AutoCloseable {
        record Sample(long nanos, long busy, long total, long newestTicks) {
        }

        final List<Sample> samples = new CopyOnWriteArrayList<>();
        private final Thread thread;
        private volatile boolean closed;

        CpuSampler(LongSupplier newestPid) {
            thread = new Thread(() -> {
                while (!closed) {
                    long[] m = CpuProfile.machineTicks();
                    samples.add(new Sample(System.nanoTime(), m[0], m[1], processTicks(newestPid.getAsLong())));
                    try {
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "resume-cpu");
            thread.setDaemon(true);
            thread.start();
        }

        /** The machine's busy share (0-100 %, of all CPUs) between the samples nearest {@code from} and {@code to}. */
        double machineBusy(long from, long to) {
            Sample a = nearest(from);
            Sample b = nearest(to);
            return a == null || b == null || b.total == a.total ? Double.NaN : 100.0 * (b.busy - a.busy) / (b.total - a.total);
        }

        /**
         * The newest gateway's CPU in the window, in % of one CPU; NaN when the newest changed inside it. Clock
         * ticks are 1/100 s on Linux.
         */
        double newestCpu(long from, long to) {
            Sample a = nearest(from);
            Sample b = nearest(to);
            if (a == null || b == null || a.newestTicks < 0 || b.newestTicks < a.newestTicks || b.nanos == a.nanos) {
                return Double.NaN;
            }
            return 100.0 * (b.newestTicks - a.newestTicks) / 100.0 / ((b.nanos - a.nanos) / 1e9);
        }

        private Sample nearest(long nanos) {
            Sample best = null;
            for (Sample s : samples) {
                if (best == null || Math.abs(s.nanos - nanos) < Math.abs(best.nanos - nanos)) {
                    best = s;
                }
            }
            return best;
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            thread.interrupt();
            thread.join(5_000);
        }
    }
}
