package dev.recingest.app;

import dev.recingest.config.Settings;
import dev.recingest.events.EventPublisher;
import dev.recingest.live.LiveConfig;
import dev.recingest.live.LiveOutputs;
import dev.recingest.live.LiveWorker;
import dev.recingest.merge.MergeWorker;
import dev.recingest.merge.MergerConfig;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.SeqMode;
import dev.recingest.testkit.Backend;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * N recordings recorded in real time (one chunk a second each, starts spread over {@code -Dlive.rampSeconds}, default 10) while ONE merger
 * (a {@link MergeWorker} and {@link LiveWorker} in this JVM, as {@code Main merger} runs them) renders them live, on
 * a fresh Redis and S3 server. For every chunk it measures the time from its commit (the ack the gateway would send)
 * to the moment its media is listed in the recording's playlist in S3: a poller reads every rendition's status in
 * Redis every 100 ms and, where the listed duration grew, GETs the playlist from S3 and takes the chunks its
 * {@code #EXTINF}s now cover as listed at that moment (so the figure includes up to one poll and one GET of the
 * benchmark's own). A chunk covers one second of media: chunk i ends at i+1 s ({@link #perSecond}).
 *
 * <p>Used by {@link LiveLatencyBenchmark} (copied codecs) and {@link LiveVp8CapacityBenchmark} (VP8 transcoded).
 */
final class LiveLoad {

    /** What one run measured. */
    /** Chunks from this index on are "steady": the recording's rendition had started long before. */
    static final int STEADY_FROM = 10;

    record Result(int recordings, int chunksPerRecording, List<Double> latencies, List<Double> steady, int unlisted,
                  int renditions, List<Double> lagAtEnd, String load, double[] meanByChunk, List<Double> firstChunk,
                  String profile, double cpuPerMediaSecond, double cpuPerMediaSecondLive) {

        /** The mean latency of each chunk index over the recordings: where startup and segment position show. */
        String byChunk() {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < meanByChunk.length; i++) {
                b.append(String.format(Locale.ROOT, "%s%d:%.2f", i == 0 ? "" : " ", i, meanByChunk[i]));
            }
            return b.toString();
        }

        double percentile(double p) {
            return percentile(latencies, p);
        }

        static double percentile(List<Double> values, double p) {
            if (values.isEmpty()) {
                return Double.NaN;
            }
            List<Double> sorted = new ArrayList<>(values);
            sorted.sort(null);
            int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
        }

        /** The largest lag of one recording at the end: media committed minus media listed, in seconds. */
        double maxLag() {
            return lagAtEnd.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }
    }

    private LiveLoad() {
    }

    /**
     * Cuts {@code media} into one chunk per second of media: at the byte position of the first video packet whose
     * time is at or past each whole second (ffprobe's packet positions), so the chunks are byte ranges of one stream.
     */
    static List<byte[]> perSecond(Path media) throws Exception {
        String csv = Media.run(Media.FFMPEG.ffprobe().toString(), "-v", "error", "-select_streams", "v:0",
                "-show_entries", "packet=pts_time,pos", "-of", "csv=p=0", media.toString());
        byte[] all = Files.readAllBytes(media);
        List<Long> cuts = new ArrayList<>();
        double first = Double.NaN;
        int second = 1;
        for (String line : csv.strip().split("\n")) {
            String[] f = line.trim().split(",");
            if (f.length < 2 || f[0].equals("N/A") || f[1].equals("N/A")) {
                continue;
            }
            double t = Double.parseDouble(f[0]);
            long pos = Long.parseLong(f[1]);
            if (Double.isNaN(first)) {
                first = t;
            }
            if (t - first >= second - 1e-6) {
                cuts.add(pos);
                second++;
            }
        }
        List<byte[]> out = new ArrayList<>();
        long from = 0;
        for (long c : cuts) {
            out.add(Arrays.copyOfRange(all, (int) from, (int) c));
            from = c;
        }
        out.add(Arrays.copyOfRange(all, (int) from, all.length));
        return out;
    }

    /**
     * Records {@code recordings} recordings of {@code chunks} (one a second) at once on a fresh backend under {@code dir},
     * one merger rendering them (at most {@code recordings} at a time); {@code onRendition} is told each FFmpeg the
     * merger starts (its pid), e.g. to pin it to a core.
     */
    static Result run(Path dir, int recordings, String contentType, List<byte[]> chunks, Map<String, String> settings,
                      Consumer<ProcessHandle> onRendition) throws Exception {
        Files.createDirectories(dir);
        int n = chunks.size();
        // What is measured: chunks whose whole second lies in a segment listed before the stop (the last two may sit
        // in the segment still open when the chunks end).
        int measured = Math.max(1, n - 3);
        // Recordings start one after another over this long (-Dlive.rampSeconds, default 10 s), as users start
        // them; 0 starts them all in the same second, a merger taking over another's renditions at once.
        long rampMs = Math.max(1000, Long.getLong("live.rampSeconds", 10) * 1000);
        try (Backend backend = Backend.start(dir)) {
            Map<String, String> env = new HashMap<>(Map.of(
                    "RECINGEST_MERGE_WORK_DIR", Files.createDirectories(dir.resolve("work")).toString(),
                    "RECINGEST_LIVE_MAX_RECORDINGS", Integer.toString(recordings)));
            env.putAll(settings);
            Settings s = Settings.of(backend.env(env));
            LiveConfig liveConfig = LiveConfig.from(s);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            ScheduledExecutorService writers = Executors.newScheduledThreadPool(4);
            long[][] committedAt = new long[recordings][n];
            long[][] listedAt = new long[recordings][measured];
            double[] listedSeconds = new double[recordings];
            RecordingId[] ids = new RecordingId[recordings];
            try (MergeWorker merger = MergeWorker.start(MergerConfig.from(s), backend.redis, backend.store, backend.s3,
                    registry, EventPublisher.none(), new LiveOutputs(liveConfig, backend.store.liveIndex(), backend.s3, backend.s3));
                 LiveWorker live = LiveWorker.start(liveConfig, backend.store, backend.s3, backend.s3, backend.s3,
                         EventPublisher.none(), merger.workSpace(), registry)) {
                long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
                for (int r = 0; r < recordings; r++) {
                    ids[r] = RecordingId.of(String.format(Locale.ROOT, "live-load-%03d", r));
                    long epoch = backend.store.ledger().start(ids[r], contentType, Mode.STREAM, "").join().epoch();
                    int rec = r;
                    long offset = t0 - System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(rampMs * r / recordings);
                    for (int i = 0; i < n; i++) {
                        int index = i;
                        writers.schedule(() -> write(backend, ids[rec], epoch, index, chunks.get(index))
                                        .thenRun(() -> committedAt[rec][index] = System.nanoTime()),
                                offset + TimeUnit.SECONDS.toNanos(i), TimeUnit.NANOSECONDS);
                    }
                }
                ScheduledExecutorService pins = Executors.newSingleThreadScheduledExecutor();
                java.util.Set<Long> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
                pins.scheduleWithFixedDelay(() -> ProcessHandle.current().descendants()
                        .filter(p -> p.info().command().orElse("").endsWith("ffmpeg") && seen.add(p.pid()))
                        .forEach(onRendition), 0, 200, TimeUnit.MILLISECONDS);
                long feedEnd = t0 + TimeUnit.MILLISECONDS.toNanos(rampMs) + TimeUnit.SECONDS.toNanos(n + 1);
                long giveUp = feedEnd + TimeUnit.SECONDS.toNanos(30);
                // The profile's windows: the start burst (from the first start to 10 s after the last), and the
                // steady state (from 15 s after the last start to 3 s before the first recording ends), if any.
                long burstEnd = t0 + TimeUnit.MILLISECONDS.toNanos(rampMs) + TimeUnit.SECONDS.toNanos(10);
                long steadyFrom = t0 + TimeUnit.MILLISECONDS.toNanos(rampMs) + TimeUnit.SECONDS.toNanos(15);
                long steadyTo = t0 + TimeUnit.SECONDS.toNanos(n - 3);
                CpuProfile.Snapshot atStart = CpuProfile.take();
                CpuProfile.Snapshot[] marks = new CpuProfile.Snapshot[3];
                StringBuilder timeline = new StringBuilder();
                CpuProfile.Snapshot lastTick = atStart;
                double[] listedAtMark = new double[2];
                boolean[] pending = new boolean[recordings];
                double[] statusSeconds = new double[recordings];
                while (System.nanoTime() < giveUp) {
                    boolean all = true;
                    List<CompletableFuture<Map<String, String>>> st = new ArrayList<>(recordings);
                    for (int r = 0; r < recordings; r++) {
                        // A status read that fails (Redis starved of CPU by a burst of FFmpeg starts) is read again
                        // at the next poll: what was listed is taken when it is seen.
                        st.add(backend.store.liveIndex().status(ids[r]).exceptionally(e -> Map.of()));
                    }
                    List<CompletableFuture<Void>> gets = new ArrayList<>();
                    for (int r = 0; r < recordings; r++) {
                        double d = Double.parseDouble(st.get(r).join().getOrDefault("durationSeconds", "0"));
                        if (d > statusSeconds[r]) {
                            statusSeconds[r] = d;
                            pending[r] = true;
                        }
                        if (pending[r]) {
                            int rec = r;
                            gets.add(backend.s3.getBytes(backend.s3.keys().livePlaylist(ids[r])).handle((b, e) -> {
                                if (e == null) {
                                    long now = System.nanoTime();
                                    double listed = listedSeconds(new String(b, StandardCharsets.UTF_8));
                                    listedSeconds[rec] = Math.max(listedSeconds[rec], listed);
                                    for (int i = 0; i < measured && i + 1 <= listed + 0.1; i++) {
                                        if (listedAt[rec][i] == 0) {
                                            listedAt[rec][i] = now;
                                        }
                                    }
                                    if (listed + 1e-6 >= statusSeconds[rec]) {
                                        pending[rec] = false;
                                    }
                                }
                                return null;
                            }));
                        }
                        all &= listedAt[r][measured - 1] != 0;
                    }
                    CompletableFuture.allOf(gets.toArray(CompletableFuture[]::new)).join();
                    long at = System.nanoTime();
                    if (marks[0] == null && at >= burstEnd) {
                        marks[0] = CpuProfile.take();
                    }
                    if (marks[1] == null && at >= steadyFrom && steadyFrom < steadyTo) {
                        marks[1] = CpuProfile.take();
                        listedAtMark[0] = Arrays.stream(listedSeconds).sum();
                    }
                    if (marks[2] == null && marks[1] != null && at >= steadyTo) {
                        marks[2] = CpuProfile.take();
                        listedAtMark[1] = Arrays.stream(listedSeconds).sum();
                    }
                    if (at - lastTick.nanos() >= TimeUnit.SECONDS.toNanos(10)) {
                        CpuProfile.Snapshot tick = CpuProfile.take();
                        timeline.append(CpuProfile.tick(atStart, lastTick, tick, live.renditions(), live.starting()));
                        lastTick = tick;
                    }
                    if (all && System.nanoTime() > feedEnd) {
                        break;
                    }
                    Thread.sleep(100);
                }
                List<Double> lags = new ArrayList<>();
                long now = System.nanoTime();
                for (int r = 0; r < recordings; r++) {
                    int committedSeconds = 0;
                    while (committedSeconds < n && committedAt[r][committedSeconds] != 0
                            && committedAt[r][committedSeconds] <= Math.min(now, feedEnd)) {
                        committedSeconds++;
                    }
                    lags.add(Math.max(0, Math.min(committedSeconds, measured) - listedSeconds[r]));
                }
                int renditions = live.renditions();
                pins.shutdownNow();
                writers.shutdownNow();
                List<Double> latencies = new ArrayList<>();
                List<Double> steady = new ArrayList<>();
                double[] sum = new double[measured];
                int[] count = new int[measured];
                int unlisted = 0;
                for (int r = 0; r < recordings; r++) {
                    for (int i = 0; i < measured; i++) {
                        if (committedAt[r][i] == 0 || listedAt[r][i] == 0) {
                            unlisted++;
                        } else {
                            // Listed before its own ack (the poll saw a later chunk's listing first): 0.
                            double l = Math.max(0, listedAt[r][i] - committedAt[r][i]) / 1e9;
                            latencies.add(l);
                            if (i >= STEADY_FROM) {
                                steady.add(l);
                            }
                            sum[i] += l;
                            count[i]++;
                        }
                    }
                }
                double[] mean = new double[measured];
                for (int i = 0; i < measured; i++) {
                    mean[i] = count[i] == 0 ? Double.NaN : sum[i] / count[i];
                }
                List<Double> firstChunk = new ArrayList<>();
                for (int r = 0; r < recordings; r++) {
                    if (committedAt[r][0] != 0 && listedAt[r][0] != 0) {
                        firstChunk.add(Math.max(0, listedAt[r][0] - committedAt[r][0]) / 1e9);
                    }
                }
                String load = Files.readString(Path.of("/proc/loadavg")).trim();
                StringBuilder profile = new StringBuilder("CPU, start burst (first start to 10 s after the last) ")
                        .append(marks[0] == null ? "not reached" : CpuProfile.table(atStart, marks[0], 12));
                double perMediaSecond = Double.NaN;
                double perMediaSecondLive = Double.NaN;
                if (marks[2] != null) {
                    profile.append("\nCPU, steady state (15 s after the last start to 3 s before the first end) ")
                            .append(CpuProfile.table(marks[1], marks[2], 12));
                    // per second of media listed in the window (not recordings x wall time: renditions that had not
                    // started, or fell behind, list less)
                    double media = listedAtMark[1] - listedAtMark[0];
                    profile.append(String.format(Locale.ROOT, "%n    media listed in the window: %.0f s (%.0f%% of %d recordings x %.1f s)",
                            media, 100 * media / (recordings * marks[2].wallSeconds(marks[1])), recordings,
                            marks[2].wallSeconds(marks[1])));
                    perMediaSecond = CpuProfile.mergerSeconds(marks[1], marks[2], false) / media;
                    perMediaSecondLive = CpuProfile.mergerSeconds(marks[1], marks[2], true) / media;
                }
                profile.append("\ntimeline (every 10 s: cores busy on the machine / this JVM / FFmpeg running, renditions running):")
                        .append(timeline);
                return new Result(recordings, n, latencies, steady, unlisted, renditions, lags, load, mean, firstChunk,
                        profile.toString(), perMediaSecond, perMediaSecondLive);
            }
        }
    }

    private static CompletableFuture<Void> write(Backend backend, RecordingId id, long epoch, long seq, byte[] bytes) {
        return backend.store.ledger().assign(id, epoch, seq, SeqMode.EXPLICIT)
                .thenCompose(a -> backend.s3.putChunk(id, a.index(), Unpooled.wrappedBuffer(bytes))
                        .thenCompose(x -> backend.store.ledger().commit(id, a.index(), bytes.length)))
                .thenApply(x -> null);
    }

    /** The playlist's listed media: the sum of its {@code #EXTINF} durations. */
    static double listedSeconds(String playlist) {
        double sum = 0;
        for (String line : playlist.split("\n")) {
            if (line.startsWith("#EXTINF:")) {
                sum += Double.parseDouble(line.substring(8, line.indexOf(',') < 0 ? line.length() : line.indexOf(',')));
            }
        }
        return sum;
    }

    /** One row of figures. */
    static String row(String what, Result r, double bound) {
        return String.format(Locale.ROOT, "| %s | %d | %d | %d | %.2f s | %.2f s | %.2f s | %.2f / %.2f / %.2f s "
                        + "| %.2f / %.2f s | %.2f s | %.1f s | %d | %.4f / %.4f | %s |", what, r.recordings(),
                r.latencies().size(), r.renditions(), r.percentile(50), r.percentile(90), r.percentile(99),
                Result.percentile(r.steady(), 50), Result.percentile(r.steady(), 90), Result.percentile(r.steady(), 99),
                r.firstChunk().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN),
                Result.percentile(r.firstChunk(), 99), bound, r.maxLag(), r.unlisted(), r.cpuPerMediaSecond(),
                r.cpuPerMediaSecondLive(), r.load());
    }

    static final String HEADER = "| run | recordings | chunks measured | renditions running at the end | p50 commit -> listed "
            + "| p90 | p99 | p50 / p90 / p99 from the " + STEADY_FROM + "th second on | chunk 0 (first segment), mean / p99 | bound "
            + "| largest lag at the end | chunks not listed | steady CPU s per media s: merger JVM + FFmpeg / live threads + FFmpeg "
            + "| load average |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|";
}
