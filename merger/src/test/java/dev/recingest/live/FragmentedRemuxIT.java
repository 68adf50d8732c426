package dev.recingest.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.media.FfmpegBinaries;
import dev.recingest.merge.ByteJoinCommand;
import dev.recingest.merge.CodecPlan;
import dev.recingest.merge.FfmpegCapabilities;
import dev.recingest.merge.InputFormat;
import dev.recingest.merge.MediaFixtures;
import dev.recingest.merge.MediaInfo;
import dev.recingest.merge.MediaProbe;
import dev.recingest.mp4.CmafWriter;
import dev.recingest.mp4.Faststart;
import dev.recingest.mp4.InitSegment;
import dev.recingest.mp4.MediaSegment;
import dev.recingest.mp4.SampleTables;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live rendition's media path without storage: the recording's bytes through the live FFmpeg command, the
 * fragments cut into CMAF segments and an HLS playlist, and the progressive MP4 built from the segments' sample
 * tables, compared with what the batch merge makes of the same bytes (its own FFmpeg command): same streams,
 * same video frames, durations within 0.05 s, a frame decoded at the middle; the playlist plays as long as the
 * MP4.
 */
class FragmentedRemuxIT {

    @TempDir
    Path dir;

    @Test
    void vp8OpusFromMediaRecorderIsEncodedLiveAndTheFastMp4EqualsTheBatchMerge() throws Exception {
        Path source = MediaFixtures.mediaRecorderWebm(dir, 20);
        compare("video/webm;codecs=vp8,opus", Files.readAllBytes(source), source);
    }

    @Test
    void h264AacMpegTsSegmentsAreCopied() throws Exception {
        List<Path> segments = MediaFixtures.tsSegments(dir, 20, 2);
        compare("video/mp2t", concat(segments), segments.get(0));
    }

    @Test
    void h264OpusWebmIsCopied() throws Exception {
        Path source = MediaFixtures.mediaRecorderWebmH264(dir, 20);
        compare("video/webm;codecs=h264,opus", Files.readAllBytes(source), source);
    }

    @Test
    void fragmentedMp4FromSafariIsCopied() throws Exception {
        Path source = MediaFixtures.fragmentedMp4(dir, 20);
        compare("video/mp4", Files.readAllBytes(source), source);
    }

    private void compare(String contentType, byte[] recording, Path firstChunk) throws Exception {
        FfmpegBinaries binaries = FfmpegBinaries.locate();
        Path batch = dir.resolve("batch.mp4");
        List<String> cmd = ByteJoinCommand.forRecording(null, contentType, firstChunk, batch);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(recording);
        }
        assertEquals(0, p.waitFor(), "batch merge " + cmd);

        long started = System.nanoTime();
        Rendered live = render(binaries, contentType, recording, dir.resolve("live"));
        System.out.printf(Locale.ROOT, "%s: %d segments in %.2f s%n", contentType, live.segments, (System.nanoTime() - started) / 1e9);

        MediaInfo b = probe(batch);
        MediaInfo f = probe(live.mp4);
        JsonNode bj = binaries.prober().probe(batch, Duration.ofMinutes(1));
        JsonNode fj = binaries.prober().probe(live.mp4, Duration.ofMinutes(1));
        System.out.printf(Locale.ROOT, "%s: batch %.3f s %s, fast %.3f s %s%n", contentType, b.durationSeconds(),
                frames(bj), f.durationSeconds(), frames(fj));
        assertEquals(b.durationSeconds(), f.durationSeconds(), 0.05, "durations");
        assertEquals(codecs(b), codecs(f), "streams");
        assertEquals(frames(bj), frames(fj), "video frames");
        MediaFixtures.assertDecodesFrameAt(live.mp4, f.durationSeconds() / 2);
        MediaFixtures.assertDecodesFrameAt(batch, b.durationSeconds() / 2);

        MediaInfo hls = MediaProbeOfPlaylist.probe(live.playlist);
        System.out.printf(Locale.ROOT, "%s: playlist %.3f s%n", contentType, hls.durationSeconds());
        assertEquals(f.durationSeconds(), hls.durationSeconds(), 0.1, "the VOD playlist plays as long as the MP4");
    }

    record Rendered(Path mp4, Path playlist, int segments) {
    }

    /** What a rendition does with the recording's bytes, into files in {@code out}. */
    static Rendered render(FfmpegBinaries binaries, String contentType, byte[] recording, Path out) throws Exception {
        Files.createDirectories(out);
        InputFormat format = InputFormat.of(contentType);
        MediaInfo input = new MediaProbe(binaries.prober()).probe(new ByteArrayInputStream(recording, 0,
                Math.min(recording.length, 1 << 20)), format, "the start");
        CodecPlan plan = CodecPlan.forFragments(input, FfmpegCapabilities.detect(binaries.ffmpeg()), 2.0);
        Playlist playlist = new Playlist(2.0);
        List<byte[]> payloads = new ArrayList<>();
        SampleTables[] tables = new SampleTables[1];
        try (Remux remux = Remux.start(binaries.ffmpeg(), format, plan)) {
            Thread feeder = new Thread(() -> {
                try {
                    remux.input().write(recording);
                    remux.endInput();
                } catch (IOException e) {
                    // the reader reports what went wrong
                }
            });
            feeder.start();
            SegmentPipeline.run(remux.output(), 2.0, 0, null, () -> true, new SegmentPipeline.Sink() {
                InitSegment init;

                @Override
                public void init(InitSegment i) throws IOException {
                    init = i;
                    tables[0] = new SampleTables(i);
                    Files.write(out.resolve(Playlist.initName(0)), i.bytes());
                }

                @Override
                public void segment(MediaSegment s) throws IOException {
                    CmafWriter.Written w = CmafWriter.write(init, s);
                    Files.write(out.resolve(Playlist.segmentName(s.sequence())), w.bytes());
                    payloads.add(java.util.Arrays.copyOfRange(w.bytes(), w.payloadOffset(), w.bytes().length));
                    tables[0].add(s);
                    playlist.add(new Playlist.Entry(Playlist.segmentName(s.sequence()), s.durationSeconds(), 0));
                }
            });
            feeder.join();
            assertEquals(0, remux.await(60), remux.errors());
        }
        playlist.end();
        Path m3u8 = out.resolve("live.m3u8");
        Files.writeString(m3u8, playlist.render());
        Path mp4 = out.resolve("fast.mp4");
        try (OutputStream o = Files.newOutputStream(mp4)) {
            o.write(Faststart.head(tables[0]));
            for (byte[] b : payloads) {
                o.write(b);
            }
        }
        assertTrue(playlist.size() >= 5, "segments: " + playlist.size());
        return new Rendered(mp4, m3u8, playlist.size());
    }

    private static MediaInfo probe(Path file) throws Exception {
        return MediaProbeOfPlaylist.info(FfmpegBinaries.locate().prober().probe(file, Duration.ofMinutes(1)));
    }

    private static List<String> codecs(MediaInfo m) {
        return m.streams().stream().map(s -> s.codecType() + ":" + s.codecName()).toList();
    }

    private static String frames(JsonNode probe) {
        for (JsonNode s : probe.path("streams")) {
            if ("video".equals(s.path("codec_type").asText())) {
                return s.path("nb_frames").asText();
            }
        }
        return "-";
    }

    private static byte[] concat(List<Path> files) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Path f : files) {
            out.write(Files.readAllBytes(f));
        }
        return out.toByteArray();
    }
}
