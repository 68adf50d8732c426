package dev.recingest.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.media.FfmpegBinaries;
import dev.recingest.merge.InputFormat;
import dev.recingest.merge.MediaFixtures;
import dev.recingest.merge.MediaInfo;
import dev.recingest.merge.MediaProbe;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The codecs read from an MPEG-TS program map are the ones ffprobe names for the same bytes (real FFmpeg makes the
 * streams, the real ffprobe reads them), and where the table names anything else, no answer is given (ffprobe is
 * asked as before).
 */
class TsCodecsTest {

    private static final InputFormat TS = InputFormat.of("video/mp2t");

    @TempDir
    Path dir;

    @Test
    void h264AndAacAreNamedAsFfprobeNamesThem() throws Exception {
        byte[] first = Files.readAllBytes(MediaFixtures.tsSegments(Files.createDirectories(dir.resolve("ts")), 2, 1).get(0));
        Optional<MediaInfo> fromTable = TsCodecs.of(first);
        assertTrue(fromTable.isPresent(), "no answer for an H.264 + AAC segment");
        assertEquals(codecs(ffprobe(first)), codecs(fromTable.get()));
        assertEquals(List.of("video h264", "audio aac"), codecs(fromTable.get()));
    }

    @Test
    void aacAloneIsNamedAsFfprobeNamesIt() throws Exception {
        byte[] ts = make("audio.ts", List.of("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"),
                List.of("-c:a", "aac", "-b:a", "64k"));
        assertEquals(List.of("audio aac"), codecs(TsCodecs.of(ts).orElseThrow()));
        assertEquals(codecs(ffprobe(ts)), codecs(TsCodecs.of(ts).orElseThrow()));
    }

    @Test
    void anotherCodecInTheProgramGivesNoAnswer() throws Exception {
        byte[] ts = make("mp2.ts", List.of("-f", "lavfi", "-i", "testsrc2=size=160x90:rate=15", "-f", "lavfi", "-i",
                "sine=frequency=440:sample_rate=48000"), List.of("-c:v", "libx264", "-preset", "ultrafast", "-c:a", "mp2"));
        assertEquals(Optional.empty(), TsCodecs.of(ts), "MPEG audio layer 2 is left to ffprobe");
    }

    @Test
    void bytesThatAreNotWholeTablesAndStreamsGiveNoAnswer() throws Exception {
        byte[] first = Files.readAllBytes(MediaFixtures.tsSegments(Files.createDirectories(dir.resolve("ts")), 2, 1).get(0));
        assertEquals(Optional.empty(), TsCodecs.of(Arrays.copyOf(first, 188 * 2)), "tables but no stream started yet");
        assertEquals(Optional.empty(), TsCodecs.of(Arrays.copyOfRange(first, 1, first.length)), "not packet-aligned");
        assertEquals(Optional.empty(), TsCodecs.of("#EXTM3U\n#EXT-X-VERSION:3\n".repeat(20).getBytes()), "not MPEG-TS");
        assertEquals(Optional.empty(), TsCodecs.of(new byte[0]));
    }

    private byte[] make(String name, List<String> inputs, List<String> codecs) throws Exception {
        Path out = dir.resolve(name);
        List<String> cmd = new ArrayList<>(List.of(FfmpegBinaries.locate().ffmpeg().toString(), "-nostdin",
                "-hide_banner", "-loglevel", "error", "-y"));
        cmd.addAll(inputs);
        cmd.addAll(List.of("-t", "2"));
        cmd.addAll(codecs);
        cmd.addAll(List.of("-f", "mpegts", out.toString()));
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "ffmpeg made " + name);
        return Files.readAllBytes(out);
    }

    private static MediaInfo ffprobe(byte[] ts) throws InterruptedException {
        return new MediaProbe(FfmpegBinaries.locate().prober()).probe(new ByteArrayInputStream(ts), TS, "the segment");
    }

    private static List<String> codecs(MediaInfo info) {
        return info.streams().stream().map(s -> s.codecType() + " " + s.codecName()).toList();
    }
}
