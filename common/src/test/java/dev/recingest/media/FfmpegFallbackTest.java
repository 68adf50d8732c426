package dev.recingest.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fallback a machine without FFmpeg gets (whatever this machine has installed: PATH is given as empty):
 * a static ffmpeg that runs, and probing by libavformat in the JVM that loads none of libavdevice's
 * system libraries. Also what is said where there is no fallback.
 */
class FfmpegFallbackTest {

    @TempDir
    Path dir;

    private static FfmpegBinaries fallback() {
        return FfmpegBinaries.find(null, "/nonexistent");
    }

    @Test
    void withoutFfmpegOnPathTheBundledStaticFfmpegIsUsedAndProbingHappensInTheJvm() throws Exception {
        FfmpegBinaries b = fallback();
        assertTrue(b.bundled(), b.origin());
        assertNull(b.ffprobe());
        assertTrue(b.prober() instanceof LibavProbe);
        Path binary = b.ffmpeg().resolveSibling("static").resolve("ffmpeg");
        assertFalse(hasInterpreter(binary), binary + " must be statically linked (no ELF interpreter)");
        assertTrue(run(List.of(b.ffmpeg().toString(), "-hide_banner", "-version")).startsWith("ffmpeg version"));
    }

    /**
     * Every MPEG-TS input crashed the static binary (SIGSEGV: its static glibc loaded the system's iconv
     * modules to convert DVB service names); the launcher keeps iconv away from them.
     */
    @Test
    void theBundledFfmpegReadsMpegTs() throws Exception {
        String ffmpeg = fallback().ffmpeg().toString();
        Path ts = dir.resolve("a.ts");
        Path mp4 = dir.resolve("a.mp4");
        run(List.of(ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                "testsrc2=size=160x120:rate=25", "-f", "lavfi", "-i", "sine=sample_rate=48000", "-t", "2",
                "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-f", "mpegts", ts.toString()));
        run(List.of(ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-i", ts.toString(), "-c", "copy",
                "-f", "mp4", mp4.toString()));
        JsonNode p = LibavProbe.get().probe(mp4, Duration.ofSeconds(30));
        assertEquals(List.of("h264", "aac"), List.of(p.path("streams").get(0).path("codec_name").asText(),
                p.path("streams").get(1).path("codec_name").asText()));
        assertEquals(2.0, p.path("format").path("duration").asDouble(), 0.1);
    }

    @Test
    void theInProcessProbeAnswersLikeFfprobeAndLoadsNoDeviceLibraries() throws Exception {
        Path webm = dir.resolve("a.webm");
        run(List.of(fallback().ffmpeg().toString(), "-nostdin", "-hide_banner", "-loglevel", "error", "-f", "lavfi",
                "-i", "testsrc2=size=160x120:rate=25", "-f", "lavfi", "-i", "sine=sample_rate=48000", "-t", "2",
                "-c:v", "libvpx", "-deadline", "realtime", "-c:a", "libopus", "-f", "webm", webm.toString()));
        JsonNode p = LibavProbe.get().probe(webm, Duration.ofSeconds(30));
        assertEquals("matroska,webm", p.path("format").path("format_name").asText());
        assertEquals(2.0, p.path("format").path("duration").asDouble(), 0.1);
        assertEquals(Long.toString(Files.size(webm)), p.path("format").path("size").asText());
        JsonNode v = p.path("streams").get(0);
        JsonNode a = p.path("streams").get(1);
        assertEquals(List.of("vp8", "video", "160", "120"), List.of(v.path("codec_name").asText(),
                v.path("codec_type").asText(), v.path("width").asText(), v.path("height").asText()));
        assertEquals(List.of("opus", "audio", "48000", "1"), List.of(a.path("codec_name").asText(),
                a.path("codec_type").asText(), a.path("sample_rate").asText(), a.path("channels").asText()));

        // The same from bytes that are not a file.
        JsonNode fromBytes = LibavProbe.get().probe(Files.readAllBytes(webm), "matroska", Duration.ofSeconds(30));
        assertEquals("vp8", fromBytes.path("streams").get(0).path("codec_name").asText());

        String maps = Files.readString(Path.of("/proc/self/maps"));
        assertTrue(maps.contains("libavformat"), "libavformat is mapped into this JVM");
        for (String lib : List.of("libavdevice", "libpulse", "libasound", "libxcb")) {
            assertFalse(maps.contains(lib), lib + " was loaded into the JVM");
        }
    }

    @Test
    void noiseIsUnreadableAndATimeoutIsReportedAsOne() throws Exception {
        byte[] noise = new byte[64 * 1024];
        new java.util.Random(7).nextBytes(noise);
        ProbeException e = assertThrows(ProbeException.class, () -> LibavProbe.get().probe(noise, "matroska",
                Duration.ofSeconds(30)));
        assertFalse(e.timedOut(), e.getMessage());
        Path missing = dir.resolve("missing.mp4");
        assertThrows(ProbeException.class, () -> LibavProbe.get().probe(missing, Duration.ofSeconds(30)));
    }

    /** Untrusted bytes are read as the demuxer given, and nothing but the file itself is opened. */
    @Test
    void theInProcessProbeReadsOnlyTheNamedFormatAndOnlyLocalFiles() throws Exception {
        Path webm = dir.resolve("b.webm");
        run(List.of(fallback().ffmpeg().toString(), "-nostdin", "-hide_banner", "-loglevel", "error", "-f", "lavfi",
                "-i", "testsrc2=size=160x120:rate=25", "-t", "1", "-c:v", "libvpx", "-f", "webm", webm.toString()));
        assertEquals("vp8", LibavProbe.get().probe(webm, "matroska", Duration.ofSeconds(30))
                .path("streams").get(0).path("codec_name").asText());
        ProbeException wrongFormat = assertThrows(ProbeException.class,
                () -> LibavProbe.get().probe(webm, "mpegts", Duration.ofSeconds(30)));
        assertTrue(wrongFormat.getMessage().contains("as mpegts"), wrongFormat.getMessage());
        // A playlist that points at a URL: the probe may not open it.
        Path playlist = dir.resolve("list.m3u8");
        Files.writeString(playlist, "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nhttp://127.0.0.1:9/x.ts\n#EXT-X-ENDLIST\n");
        assertThrows(ProbeException.class, () -> LibavProbe.get().probe(playlist, "hls", Duration.ofSeconds(30)));
    }

    @Test
    void whereThereIsNoFallbackTheErrorSaysWhatToInstall() {
        String os = System.getProperty("os.name");
        String arch = System.getProperty("os.arch");
        try {
            System.setProperty("os.name", "Mac OS X");
            System.setProperty("os.arch", "aarch64");
            IllegalStateException e = assertThrows(IllegalStateException.class, FfmpegFallbackTest::fallback);
            assertTrue(e.getMessage().contains("brew install ffmpeg") && e.getMessage().contains("RECINGEST_FFMPEG_DIR")
                    && e.getMessage().contains("Mac OS X aarch64"), e.getMessage());
        } finally {
            System.setProperty("os.name", os);
            System.setProperty("os.arch", arch);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> FfmpegBinaries.find(dir.toString(), "/nonexistent"));
        assertTrue(e.getMessage().startsWith("RECINGEST_FFMPEG_DIR=" + dir + " holds no executable ffmpeg"), e.getMessage());
    }

    /** True when the ELF file has a PT_INTERP program header, i.e. it is dynamically linked. */
    static boolean hasInterpreter(Path elf) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(elf)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("\u007fELF", new String(new byte[] {b.get(0), b.get(1), b.get(2), b.get(3)}, StandardCharsets.ISO_8859_1));
        long phoff = b.getLong(0x20);
        int phentsize = Short.toUnsignedInt(b.getShort(0x36));
        int phnum = Short.toUnsignedInt(b.getShort(0x38));
        for (int i = 0; i < phnum; i++) {
            if (b.getInt((int) (phoff + (long) i * phentsize)) == 3) {
                return true;
            }
        }
        return false;
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + cmd);
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
