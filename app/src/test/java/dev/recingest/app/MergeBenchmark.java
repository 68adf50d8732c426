package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.recingest.config.Settings;
import dev.recingest.merge.MergeWorker;
import dev.recingest.merge.MergerConfig;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingState;
import dev.recingest.testkit.Backend;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Merge time of a 10-minute recording in each mode; prints figures, asserts only that the merges
 * complete with the right duration. Not part of the suite (its name matches neither *Test nor *IT); run
 * it with {@code ./mvnw -o verify -pl app -am -Dit.test=MergeBenchmark -Dtest=NoSuchTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false}. Takes several minutes, most of it making the sources.
 */
@Tag("benchmark")
class MergeBenchmark {

    private static final int SECONDS = 600;

    @TempDir
    Path dir;

    @Test
    void tenMinuteRecordings() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        long t0 = System.nanoTime();
        Path webm = Media.webmVp8Opus(src, SECONDS, "640x360");
        Path ts = Media.tsH264Aac(src, SECONDS, "640x360");
        Path segDir = Files.createDirectories(src.resolve("seg"));
        Media.run(Media.FFMPEG.ffmpeg().toString(), "-hide_banner", "-loglevel", "error", "-y", "-i", ts.toString(),
                "-c", "copy", "-f", "segment", "-segment_time", "10", "-segment_format", "mpegts",
                segDir.resolve("seg%04d.ts").toString());
        System.out.printf(Locale.ROOT, "bench: sources made in %.0f s (webm %d MiB, ts %d MiB)%n",
                (System.nanoTime() - t0) / 1e9, Files.size(webm) >> 20, Files.size(ts) >> 20);

        try (Backend backend = Backend.start(dir)) {
            Settings settings = Settings.of(backend.env(Map.of("RECINGEST_MERGE_WORK_DIR",
                    Files.createDirectories(dir.resolve("work")).toString())));
            try (MergeWorker worker = MergeWorker.start(MergerConfig.from(settings), backend.redis, backend.store,
                    backend.s3, new SimpleMeterRegistry())) {
                // 1 s chunks: byte ranges of the average size of one second of the stream.
                run(backend, "stream-webm-vp8-1s", "video/webm;codecs=vp8,opus", Mode.STREAM,
                        ranges(webm, (int) (Files.size(webm) / SECONDS)));
                run(backend, "stream-ts-1s", "video/mp2t", Mode.STREAM, ranges(ts, (int) (Files.size(ts) / SECONDS)));
                List<byte[]> segments = new ArrayList<>();
                try (Stream<Path> files = Files.list(segDir)) {
                    for (Path f : files.sorted().toList()) {
                        segments.add(Files.readAllBytes(f));
                    }
                }
                run(backend, "segments-ts-10s", "video/mp2t", Mode.SEGMENTS, segments);
            }
        }
    }

    private static void run(Backend backend, String name, String contentType, Mode mode, List<byte[]> chunks)
            throws Exception {
        RecordingId id = RecordingId.of(name);
        backend.writes.record(id, contentType, mode, "", chunks);
        long bytes = chunks.stream().mapToLong(c -> c.length).sum();
        long t = System.nanoTime();
        backend.store.mergeQueue().enqueue(id).join();
        Recording r = backend.awaitState(id, Set.of(RecordingState.COMPLETED, RecordingState.FAILED), Duration.ofMinutes(30));
        double seconds = (System.nanoTime() - t) / 1e9;
        assertEquals(RecordingState.COMPLETED, r.state(), () -> r.errorCode() + ": " + r.errorMessage());
        assertEquals(SECONDS, r.durationSeconds(), 0.5);
        System.out.printf(Locale.ROOT, "bench: %-20s %4d chunks, %4d MiB in, %4d MiB out, output %.3f s, merged in %.1f s "
                        + "(%.0fx realtime)%n", name, chunks.size(), bytes >> 20, r.outputSize() >> 20, r.durationSeconds(),
                seconds, SECONDS / seconds);
    }

    private static List<byte[]> ranges(Path file, int size) throws Exception {
        byte[] all = Files.readAllBytes(file);
        List<byte[]> out = new ArrayList<>();
        for (int off = 0; off < all.length; off += size) {
            out.add(Arrays.copyOfRange(all, off, Math.min(all.length, off + size)));
        }
        return out;
    }
}
