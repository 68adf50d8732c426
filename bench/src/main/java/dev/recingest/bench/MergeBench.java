package dev.recingest.bench;

import dev.recingest.client.ClientOptions;
import dev.recingest.agent.push.ByteRangeSource;
import dev.recingest.agent.push.ChunkSource;
import dev.recingest.agent.push.PushRequest;
import dev.recingest.agent.push.PushResult;
import dev.recingest.agent.push.RecordingPusher;
import dev.recingest.agent.push.SegmentSource;
import dev.recingest.media.FfmpegBinaries;
import dev.recingest.merge.ByteJoinCommand;
import dev.recingest.merge.MergerConfig;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingState;
import dev.recingest.state.RecordingStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Item 4: the merge of one long recording in {@code stream} mode (byte ranges of about one second) and in
 * {@code segments} mode (10 s MPEG-TS segments), next to the raw baseline of the same run: the same chunks
 * as local files, {@code cat} piped into the merger's own FFmpeg command line ({@link ByteJoinCommand}),
 * writing a local file. The recording is ingested through the gateway (the product path; not timed), then
 * the merge is timed from the stop ({@code stoppedAt}, set by the gateway just before it queues the job) to
 * COMPLETED ({@code completedAt}, set by the merger), both read from Redis. The merger runs in its own JVM
 * with {@code -Xmx256m}; its heap is sampled throughout. A second reference, {@link S3Floor}, times the
 * storage half alone (the chunk GETs and the output upload against the same S3 server).
 */
final class MergeBench {

    private static final Duration MERGE_LIMIT = Duration.ofMinutes(30);

    private final BenchCluster cluster;
    private final RecordingStore store;
    private final MergerJvm merger;
    private final Path ffmpeg;
    private final Path work;

    MergeBench(BenchCluster cluster, MergerJvm merger, Path work) {
        this.cluster = cluster;
        this.store = new RecordingStore(cluster.backend.connection.async(), Clock.systemUTC());
        this.merger = merger;
        this.ffmpeg = FfmpegBinaries.locate().ffmpeg();
        this.work = work;
    }

    /**
     * Runs the section: {@code --merge-minutes=} (60) long recording, {@code --merge-modes=} (stream,segments),
     * media cached in {@code --merge-media=} (bench/target/media); with {@code --jfr} the merger JVM records
     * a JFR profile into {@code out/jfr/merger.jfr}. Returns the section's markdown.
     */
    static String section(Map<String, String> opts, Path out, Path dir) throws Exception {
        int minutes = Integer.parseInt(opts.getOrDefault("merge-minutes", "60"));
        Path media = MergeMedia.recording(FfmpegBinaries.locate().ffmpeg(),
                Path.of(opts.getOrDefault("merge-media", "bench/target/media")), minutes);
        Path base = Files.createDirectories(dir.resolve("merge"));
        List<String> jvm = new ArrayList<>(List.of("-Xmx256m"));
        if (opts.containsKey("jfr")) {
            Files.createDirectories(out.resolve("jfr"));
            jvm.add("-XX:StartFlightRecording=filename=" + out.resolve("jfr/merger.jfr").toAbsolutePath()
                    + ",settings=profile,dumponexit=true");
        }
        String loadBefore = loadAverage();
        List<MergeRow> rows = new ArrayList<>();
        try (BenchCluster cluster = new BenchCluster(base.resolve("cluster"));
             MergerJvm merger = MergerJvm.start(mergerEnv(cluster, Files.createDirectories(base.resolve("work"))), jvm,
                     base.resolve("merger.log"))) {
            MergeBench bench = new MergeBench(cluster, merger, base);
            for (String mode : opts.getOrDefault("merge-modes", "stream,segments").split(",")) {
                MergeRow row = bench.run(media, Mode.fromWire(mode.trim()), minutes * 60);
                rows.add(row);
                System.out.printf("merge %s: raw %.1f s, merge %.1f s, ratio %.2f, merger peak heap %d MiB%n",
                        row.mode(), row.rawSeconds(), row.mergeSeconds(), row.ratio(), row.peakHeapBytes() >> 20);
                cluster.wipeObjects();
            }
            Files.createDirectories(out);
            Files.copy(merger.log, out.resolve("merger.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            deleteTree(base);
        }
        String md = "\n## 4. Merge (" + minutes + "-minute recording, " + Files.size(media) / 1048576 + " MiB MPEG-TS;"
                + " merger JVM " + jvm + ")\n\n" + MergeRow.table(rows) + "\nLoad average before / after: "
                + loadBefore + " / " + loadAverage() + "\n";
        System.out.println(md);
        return md;
    }

    static String loadAverage() {
        try {
            return String.join(" ", List.of(Files.readString(Path.of("/proc/loadavg")).split(" ")).subList(0, 3));
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e);
        }
    }

    /** The environment of a merger process that uses {@code cluster}'s Redis and S3 server. */
    static Map<String, String> mergerEnv(BenchCluster cluster, Path workDir) {
        return cluster.backend.env(Map.of(
                "RECINGEST_MERGE_WORK_DIR", workDir.toString(),
                // The batch merge from the chunks, as measured before the live rendition existed: with it on,
                // a recording ingested faster than real time is rendered while ingested and the merge waits for
                // it (the live path is measured by LiveStopBenchmark).
                "RECINGEST_LIVE", "false"));
    }

    /** Ingests {@code media} in {@code mode}, waits for its merge, then runs the raw baseline. */
    MergeRow run(Path media, Mode mode, int seconds) throws Exception {
        try (ChunkSource source = mode == Mode.STREAM
                ? new ByteRangeSource(media, (int) ((Files.size(media) + seconds - 1) / seconds), "video/mp2t")
                : SegmentSource.cut(media, Duration.ofSeconds(10), ffmpeg, Duration.ofMinutes(30))) {
            String id = "bench-merge-" + mode.wire() + "-" + System.currentTimeMillis();
            PushResult pushed = new RecordingPusher(ClientOptions.defaults(cluster.ingestUri(), cluster.token()), null)
                    .push(source, PushRequest.of(media, mode).withRecordingId(id).withMergeWait(false, MERGE_LIMIT));
            System.out.printf("merge %s: ingested %d chunks, %d bytes through the gateway in %.1f s%n", mode.wire(),
                    pushed.chunks(), pushed.bytes(), pushed.elapsed().toMillis() / 1000.0);
            merger.takePeakHeap();
            Recording done = awaitFinal(RecordingId.of(id));
            long peak = merger.takePeakHeap();
            if (done.state() != RecordingState.COMPLETED) {
                throw new IllegalStateException(id + " ended " + done.state() + ": " + done.errorCode() + " "
                        + done.errorMessage() + "\n" + merger.logTail(20));
            }
            Map<String, String> f = store.fields(RecordingId.of(id)).get();
            // stoppedAt, not mergeQueuedAt: the gateway queues the job right after recording the stop and only
            // then marks mergeQueuedAt, which it skips when the merger has already taken the recording.
            double mergeSeconds = (Long.parseLong(f.get("completedAt")) - Long.parseLong(f.get("stoppedAt"))) / 1000.0;
            MergeLog.Phases phases = MergeLog.phases(merger.log, id);
            Raw raw = raw(source, mode, RecordingId.of(id));
            return new MergeRow(mode.wire(), source.count(), source.totalBytes(), done.durationSeconds(),
                    raw.durationSeconds, raw.seconds, mergeSeconds, peak, phases, raw.floor);
        }
    }

    private Recording awaitFinal(RecordingId id) throws Exception {
        long deadline = System.nanoTime() + MERGE_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Recording> r = store.get(id).get();
            if (r.isPresent() && (r.get().state() == RecordingState.COMPLETED || r.get().state() == RecordingState.FAILED)) {
                return r.get();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(id + " not merged within " + MERGE_LIMIT + "\n" + merger.logTail(20));
    }

    private record Raw(double seconds, double durationSeconds, S3Floor.Result floor) {
    }

    /**
     * The chunks written as local files (chunk-000000..., in index order), then
     * {@code cat chunk-* | <the merger's FFmpeg command, input pipe:0>}; timed from the start of the
     * pipeline to FFmpeg's exit. The files are written before the clock starts (and are in the page
     * cache, as the S3 server's objects are for the merge).
     */
    private Raw raw(ChunkSource source, Mode mode, RecordingId id) throws Exception {
        Path dir = Files.createDirectories(work.resolve("raw-" + mode.wire()));
        List<String> cat = new ArrayList<>(List.of("cat"));
        for (int i = 0; i < source.count(); i++) {
            String name = String.format("chunk-%06d.ts", i);
            Files.write(dir.resolve(name), source.read(i));
            cat.add(name);
        }
        Path out = dir.resolve("raw.mp4");
        List<String> ffmpegCmd = ByteJoinCommand.forRecording(null, source.contentType(), dir.resolve(cat.get(1)), out);
        System.out.println("raw baseline: cat chunk-*.ts | " + String.join(" ", ffmpegCmd));
        long t0 = System.nanoTime();
        List<Process> pipeline = ProcessBuilder.startPipeline(List.of(
                new ProcessBuilder(cat).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT),
                new ProcessBuilder(ffmpegCmd).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)));
        for (Process p : pipeline) {
            if (p.waitFor() != 0) {
                throw new IOException("raw baseline: " + p.info().command().orElse("?") + " exited " + p.exitValue());
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double duration = Probe.durationSeconds(FfmpegBinaries.locate().prober(), out);
        S3Floor.Result floor = S3Floor.measure(cluster.backend.s3, id, source.count(), MergerConfig.DEFAULT_PREFETCH, out);
        deleteTree(dir);
        return new Raw(seconds, duration, floor);
    }
}
