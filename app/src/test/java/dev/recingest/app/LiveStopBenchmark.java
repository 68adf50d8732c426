package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.config.Settings;
import dev.recingest.events.EventPublisher;
import dev.recingest.live.LiveConfig;
import dev.recingest.live.LiveOutputs;
import dev.recingest.live.LiveWorker;
import dev.recingest.merge.LiveOutput;
import dev.recingest.merge.MergeWorker;
import dev.recingest.merge.MergerConfig;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Outcomes;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingState;
import dev.recingest.state.SeqMode;
import dev.recingest.testkit.Backend;
import dev.recingest.testkit.Waits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stop to {@code COMPLETED} with the live rendition (the MP4 staged while recording, completed at the stop) next
 * to the batch merge of the same chunks (no live worker), in the same run, for recordings of several lengths
 * ({@code -Dlive.minutes=10,60,180}; default 10 and 60) in both modes ({@code -Dlive.modes=stream,segments}, the
 * default). The recording is a meeting-like MPEG-TS (640x360 30 fps H.264 1.2 Mbit/s, AAC mono, key frame every 2 s:
 * one minute encoded, then looped by stream copy): in stream mode cut into one-second byte ranges, in segments mode
 * into MPEG-TS files of about 2 s by FFmpeg's segment muxer; written straight to the embedded Redis and S3 server
 * the way the gateway writes them. The recording is written faster than real time; before the stop the benchmark
 * waits until the rendition has read every chunk, as it has for a recording made in real time (the time that takes
 * is printed too: it is how fast one rendition copies, not a latency). Stop to COMPLETED = {@code completedAt -
 * stoppedAt} from Redis, for both; the live one is also broken down by phase from the merger's log events
 * ({@link StopLog}), and printed without the S3 server's CompleteMultipartUpload (s3proxy's filesystem backend
 * copies the parts into one file; S3 itself does not copy). Both MP4s are ffprobed (duration, video frames). Not
 * part of the suite; run with {@code ./mvnw verify -pl app -am -Dit.test=LiveStopBenchmark -Dtest=NoSuchTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class LiveStopBenchmark {

    private static final Duration LIMIT = Duration.ofMinutes(30);

    @TempDir
    Path dir;

    @Test
    void stopToCompletedWithTheLiveRenditionAndWithTheBatchMerge() throws Exception {
        String load = Files.readString(Path.of("/proc/loadavg")).trim();
        List<String> rows = new ArrayList<>();
        List<String> phases = new ArrayList<>();
        StopLog log = StopLog.attach();
        try {
            for (String m : System.getProperty("live.minutes", "10,60").split(",")) {
                int minutes = Integer.parseInt(m.trim());
                Path media = media(dir, minutes);
                for (String modeName : System.getProperty("live.modes", "stream,segments").split(",")) {
                    Mode mode = Mode.fromWire(modeName.trim());
                    Chunks chunks = mode == Mode.SEGMENTS ? Chunks.segments(segments(dir, media, minutes)) : Chunks.byteRanges(media, minutes * 60);
                    Path base = Files.createDirectories(dir.resolve("run-" + minutes + "-" + mode.wire()));
                    try (Backend backend = Backend.start(base)) {
                        Result live = run(backend, base, chunks, mode, minutes, true, log);
                        Result batch = run(backend, base, chunks, mode, minutes, false, log);
                        String row = String.format(Locale.ROOT, "| %d min | %s | %d | %d MiB | %.1f s (%.0fx real time) | %.2f s | "
                                        + "%.2f s | %.2f s | %.3f | %.3f / %.3f s | %s / %s |", minutes, mode.wire(), live.chunks,
                                Files.size(media) >> 20, live.catchUpSeconds, minutes * 60 / live.catchUpSeconds,
                                live.stopToCompleted, live.stopToCompleted - live.serverCompleteMs / 1000.0,
                                batch.stopToCompleted, live.stopToCompleted / batch.stopToCompleted,
                                live.duration, batch.duration, live.frames, batch.frames);
                        System.out.println("live stop bench: " + row);
                        rows.add(row);
                        phases.add(String.format(Locale.ROOT, "| %d min | %s | %s |", minutes, mode.wire(), live.phases));
                        System.out.println("live stop bench: phases " + phases.get(phases.size() - 1));
                        assertEquals(batch.duration, live.duration, 0.05, "the fast MP4 is as long as the batch merge");
                        assertEquals(batch.frames, live.frames, "the fast MP4 has the batch merge's video frames");
                    }
                    chunks.delete();
                }
                Files.deleteIfExists(media);
            }
        } finally {
            log.detach();
        }
        System.out.println("\nload average at the start: " + load);
        System.out.println("\n| recording | mode | chunks | size | rendition read every chunk in (ingest at full speed) "
                + "| stop -> COMPLETED, live | live less the S3 server's CompleteMultipartUpload | stop -> COMPLETED, batch merge "
                + "| ratio live / batch | duration live / batch | video frames live / batch |\n|---|---|---|---|---|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
        System.out.println("\nLive, by phase (ms; times 'at' are since stoppedAt, the others are durations):\n| recording | mode | "
                + StopLog.HEADER + " |\n|---|---|" + "---|".repeat(StopLog.COLUMNS));
        phases.forEach(System.out::println);
        System.out.println("load average at the end: " + Files.readString(Path.of("/proc/loadavg")).trim());
    }

    private record Result(long chunks, double catchUpSeconds, double stopToCompleted, double duration, String frames,
                          String phases, long serverCompleteMs) {
    }

    private Result run(Backend backend, Path base, Chunks media, Mode mode, int minutes, boolean live, StopLog log)
            throws Exception {
        Settings settings = Settings.of(backend.env(Map.of(
                "RECINGEST_MERGE_WORK_DIR", Files.createDirectories(base.resolve(live ? "work-live" : "work-batch")).toString(),
                "RECINGEST_MERGE_POLL", "500ms",
                "RECINGEST_LIVE", Boolean.toString(live))));
        LiveConfig liveConfig = LiveConfig.from(settings);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LiveOutput fromLive = live ? new LiveOutputs(liveConfig, backend.store.liveIndex(), backend.s3, backend.s3)
                : LiveOutput.NONE;
        RecordingId id = RecordingId.of("bench-" + (live ? "live" : "batch") + "-" + minutes + "-" + mode.wire());
        try (MergeWorker merger = MergeWorker.start(MergerConfig.from(settings), backend.redis, backend.store,
                backend.s3, registry, EventPublisher.none(), fromLive);
             LiveWorker renditions = LiveWorker.start(liveConfig, backend.store, backend.s3, backend.s3, backend.s3,
                     EventPublisher.none(), merger.workSpace(), registry)) {
            Outcomes.StartOutcome started = backend.store.ledger().start(id, "video/mp2t", mode, "").join();
            long written = System.nanoTime();
            long n = 0;
            for (byte[] b : media) {
                Outcomes.Assignment a = backend.store.ledger().assign(id, started.epoch(), n, SeqMode.EXPLICIT).join();
                backend.s3.putChunk(id, a.index(), Unpooled.wrappedBuffer(b)).join();
                backend.store.ledger().commit(id, a.index(), b.length).join();
                n++;
            }
            long chunks = n;
            double catchUp = 0;
            if (live) {
                Waits.until(() -> Long.parseLong(backend.store.liveIndex().status(id).join()
                        .getOrDefault("chunks", "0")) >= chunks, LIMIT, "the rendition read every chunk");
                catchUp = (System.nanoTime() - written) / 1e9;
            }
            long stopping = System.nanoTime();
            backend.store.ledger().stop(id, started.epoch(), chunks - 1).join();
            backend.store.mergeQueue().enqueue(id).join();
            long stopWritesMs = (System.nanoTime() - stopping) / 1_000_000;
            Recording done = backend.awaitState(id, Set.of(RecordingState.COMPLETED, RecordingState.FAILED), LIMIT);
            assertEquals(RecordingState.COMPLETED, done.state(), done.errorCode() + ": " + done.errorMessage());
            Map<String, String> f = backend.store.fields(id).join();
            long stoppedAt = Long.parseLong(f.get("stoppedAt"));
            double stopToCompleted = (Long.parseLong(f.get("completedAt")) - stoppedAt) / 1000.0;
            // Probed where the S3 server keeps it (a 3-hour MP4 is larger than a heap-sized download).
            Path mp4 = backend.servers.s3Server().dataDir().resolve(backend.s3.bucket()).resolve(done.outputKey());
            JsonNode probe = Media.probe(mp4);
            String frames = "-";
            for (JsonNode s : probe.path("streams")) {
                if ("video".equals(s.path("codec_type").asText())) {
                    frames = s.path("nb_frames").asText();
                }
            }
            double duration = probe.path("format").path("duration").asDouble();
            String phases = log.phases(id.value(), stoppedAt, stopWritesMs, live);
            System.out.printf(Locale.ROOT, "live stop bench: %s: %d chunks, stop -> COMPLETED %.2f s, %.3f s, %s frames; %s%n",
                    id, chunks, stopToCompleted, duration, frames, phases);
            return new Result(chunks, catchUp, stopToCompleted, duration, frames, phases, log.completeMs(id.value()));
        }
    }

    /** The recording as segments-mode chunks: MPEG-TS files of about 2 s, each starting with a key frame. */
    static Path segments(Path dir, Path media, int minutes) {
        Path out = Files.exists(dir.resolve("segments-" + minutes)) ? dir.resolve("segments-" + minutes)
                : uncheckedCreate(dir.resolve("segments-" + minutes));
        Media.run(Media.FFMPEG.ffmpeg().toString(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                "-i", media.toString(), "-c", "copy", "-f", "segment", "-segment_time", "2", "-segment_format", "mpegts",
                out.resolve("s%06d.ts").toString());
        return out;
    }

    private static Path uncheckedCreate(Path d) {
        try {
            return Files.createDirectories(d);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A meeting-like MPEG-TS of {@code minutes}: one minute encoded, looped by stream copy. */
    static Path media(Path dir, int minutes) {
        Path clip = dir.resolve("clip.ts");
        if (!Files.exists(clip)) {
            Media.run(Media.FFMPEG.ffmpeg().toString(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                    "-t", "60", "-c:v", "libx264", "-preset", "veryfast", "-b:v", "1200k", "-maxrate", "1500k",
                    "-bufsize", "2400k", "-g", "60", "-keyint_min", "60", "-sc_threshold", "0", "-pix_fmt", "yuv420p",
                    "-c:a", "aac", "-b:a", "96k", "-ac", "1", "-f", "mpegts", clip.toString());
        }
        Path out = dir.resolve("meeting-" + minutes + "min.ts");
        Media.run(Media.FFMPEG.ffmpeg().toString(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                "-stream_loop", Integer.toString(minutes - 1), "-i", clip.toString(), "-t", Integer.toString(minutes * 60),
                "-c", "copy", "-f", "mpegts", out.toString());
        return out;
    }
}
