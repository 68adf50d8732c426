package dev.recingest.merge;

import dev.recingest.media.FfmpegBinaries;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Test media made by FFmpeg at test time: lavfi test pattern and tone, 320x240, small and fast. */
public final class MediaFixtures {

    private static final List<String> SOURCE = List.of("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000");

    private MediaFixtures() {
    }

    /** WebM VP8 + Opus written the way MediaRecorder writes it: live, no duration, no cues. */
    public static Path mediaRecorderWebm(Path dir, int seconds) {
        Path out = dir.resolve("source.webm");
        ffmpeg(SOURCE, List.of("-t", Integer.toString(seconds), "-c:v", "libvpx", "-deadline", "realtime",
                "-cpu-used", "8", "-b:v", "500k", "-c:a", "libopus", "-shortest",
                "-f", "webm", "-live", "1", "-cluster_time_limit", "1000", out.toString()));
        return out;
    }

    /**
     * WebM as MediaRecorder writes it (live: no duration, no cues; a cluster per second) with the given
     * video encoder and Opus, at {@code size} (AV1 encodes slowly: keep it small).
     */
    public static Path mediaRecorderWebm(Path dir, String name, int seconds, String size, List<String> videoCodec) {
        // Encoded first, then remuxed into the live layout: FFmpeg 4.4's WebM muxer (the bundled fallback's)
        // cannot write AV1 in live mode while encoding (the codec private data comes too late).
        Path encoded = dir.resolve(name + "-encoded.webm");
        Path out = dir.resolve(name + ".webm");
        List<String> args = new ArrayList<>(List.of("-t", Integer.toString(seconds)));
        args.addAll(videoCodec);
        args.addAll(List.of("-g", "30", "-c:a", "libopus", "-shortest", "-f", "webm", encoded.toString()));
        ffmpeg(source(size), args);
        ffmpeg(List.of("-i", encoded.toString()), List.of("-c", "copy", "-f", "webm", "-live", "1",
                "-cluster_time_limit", "1000", out.toString()));
        return out;
    }

    /**
     * What Chrome's MediaRecorder writes for {@code video/webm;codecs=h264,opus}: Matroska with H.264 and
     * DocType "webm". FFmpeg's webm muxer refuses H.264, so this muxes Matroska and rewrites the DocType
     * in the EBML header ("matroska" becomes "webm", and the header's 1-byte size shrinks by 4).
     */
    public static Path mediaRecorderWebmH264(Path dir, int seconds) {
        Path mkv = dir.resolve("h264.mkv");
        ffmpeg(SOURCE, List.of("-t", Integer.toString(seconds), "-c:v", "libx264", "-preset", "ultrafast",
                "-g", "30", "-c:a", "libopus", "-shortest", "-f", "matroska", "-live", "1",
                "-cluster_time_limit", "1000", mkv.toString()));
        try {
            byte[] b = Files.readAllBytes(mkv);
            byte[] from = "\u0042\u0082\u0088matroska".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            byte[] to = "\u0042\u0082\u0084webm".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            int at = indexOf(b, from);
            if (at < 0 || at > 64 || (b[4] & 0xff) < 0x85) {
                throw new IllegalStateException("unexpected EBML header from ffmpeg");
            }
            byte[] out = new byte[b.length - 4];
            System.arraycopy(b, 0, out, 0, at);
            System.arraycopy(to, 0, out, at, to.length);
            System.arraycopy(b, at + from.length, out, at + to.length, b.length - at - from.length);
            out[4] = (byte) ((b[4] & 0xff) - 4);
            Path webm = dir.resolve("h264.webm");
            Files.write(webm, out);
            return webm;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static List<String> source(String size) {
        return List.of("-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=30",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000");
    }

    /** True if the ffmpeg in use has {@code encoder} (codec cases skip what it cannot make). */
    public static boolean hasEncoder(String encoder) {
        try {
            Process p = new ProcessBuilder(FfmpegBinaries.locate().ffmpeg().toString(), "-hide_banner", "-encoders")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(30, TimeUnit.SECONDS);
            return out.lines().anyMatch(l -> l.trim().split("\\s+").length > 1 && l.trim().split("\\s+")[1].equals(encoder));
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Decodes one video frame at {@code seconds} of {@code mp4} into a PNG and fails unless there is one:
     * the output is seekable there. (A seek past the end exits 0 with no frame, hence the file check.)
     */
    public static void assertDecodesFrameAt(Path mp4, double seconds) {
        Path png = mp4.resolveSibling(mp4.getFileName() + "-" + (long) (seconds * 1000) + ".png");
        ffmpeg(List.of("-ss", String.format(java.util.Locale.ROOT, "%.3f", seconds), "-i", mp4.toString()),
                List.of("-frames:v", "1", "-update", "1", png.toString()));
        try {
            if (!Files.exists(png) || Files.size(png) == 0) {
                throw new AssertionError("no frame decoded at " + seconds + " s of " + mp4);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Fragmented MP4, H.264 + AAC, the way Safari's MediaRecorder writes it: moov first, then fragments. */
    public static Path fragmentedMp4(Path dir, int seconds) {
        Path out = dir.resolve("source.mp4");
        ffmpeg(SOURCE, List.of("-t", Integer.toString(seconds), "-c:v", "libx264", "-preset", "ultrafast",
                "-g", "30", "-c:a", "aac", "-shortest", "-movflags", "frag_keyframe+empty_moov+default_base_moof",
                "-f", "mp4", out.toString()));
        return out;
    }

    /** MPEG-TS H.264 + AAC cut by the segment muxer every {@code segmentSeconds}. */
    public static List<Path> tsSegments(Path dir, int seconds, int segmentSeconds) {
        return segments(dir, seconds, segmentSeconds, "mpegts", "ts", List.of());
    }

    /**
     * MPEG-TS whose H.264 has no SPS or PPS (a recorder that drops its parameter sets): FFprobe still names
     * the codec, but nothing can tell the picture size, and FFmpeg refuses to write the MP4. One stream,
     * muxed directly: the segment muxer would put the parameter sets back from the encoder's global header.
     */
    public static Path tsWithoutParameterSets(Path dir, int seconds) {
        Path out = dir.resolve("no-parameter-sets.ts");
        ffmpeg(SOURCE, List.of("-t", Integer.toString(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", "30",
                "-c:a", "aac", "-shortest", "-bsf:v", "filter_units=remove_types=7-8", "-f", "mpegts", out.toString()));
        return out;
    }

    /** Independent MP4 files (each with its own moov), H.264 + AAC, timestamps reset per file. */
    public static List<Path> mp4Segments(Path dir, int seconds, int segmentSeconds) {
        return segments(dir, seconds, segmentSeconds, "mp4", "mp4", List.of("-reset_timestamps", "1"));
    }

    private static List<Path> segments(Path dir, int seconds, int segmentSeconds, String format, String ext,
                                       List<String> extra) {
        Path segDir = dir.resolve("segments-" + ext);
        try {
            Files.createDirectories(segDir);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        List<String> out = new ArrayList<>(List.of("-t", Integer.toString(seconds), "-c:v", "libx264",
                "-preset", "ultrafast", "-g", "30", "-c:a", "aac", "-shortest", "-f", "segment",
                "-segment_time", Integer.toString(segmentSeconds), "-segment_format", format));
        out.addAll(extra);
        out.add(segDir.resolve("seg%04d." + ext).toString());
        ffmpeg(SOURCE, out);
        try (Stream<Path> files = Files.list(segDir)) {
            return files.sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Consecutive byte ranges of {@code file}, {@code size} bytes each (the last one shorter). */
    public static List<byte[]> byteRanges(Path file, int size) {
        try {
            byte[] all = Files.readAllBytes(file);
            List<byte[]> out = new ArrayList<>();
            for (int off = 0; off < all.length; off += size) {
                out.add(Arrays.copyOfRange(all, off, Math.min(all.length, off + size)));
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static List<byte[]> readAll(List<Path> files) {
        return files.stream().map(f -> {
            try {
                return Files.readAllBytes(f);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    private static void ffmpeg(List<String> inputs, List<String> outputs) {
        List<String> cmd = new ArrayList<>(List.of(FfmpegBinaries.locate().ffmpeg().toString(), "-hide_banner",
                "-loglevel", "error", "-nostdin", "-y"));
        cmd.addAll(inputs);
        cmd.addAll(outputs);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("fixture ffmpeg failed: " + cmd + "\n" + log);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
