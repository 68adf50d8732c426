package dev.recingest.merge;

import dev.recingest.media.FfmpegBinaries;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The FFmpeg command line a merger runs for a byte-joined recording (stream mode, or MPEG-TS segments),
 * with the input as {@code pipe:0}: what the merge benchmark's raw baseline pipes {@code cat chunk*} into.
 * Built from the same pieces as the merger's own run (global options, input format, codec plan, genpts), so the
 * baseline cannot drift from the product. The merger itself feeds FFmpeg over Jaffree's loopback socket
 * and adds Jaffree's {@code -progress} option; both read the input once, in order.
 */
public final class ByteJoinCommand {

    private ByteJoinCommand() {
    }

    /**
     * @param ffmpegDir   as {@code RECINGEST_FFMPEG_DIR}: null for PATH, then the bundled binaries
     * @param contentType the recording's content type, which names the demuxer as in the merger
     * @param firstChunk  the recording's first chunk (at least its container header and first frames)
     * @param output      the MP4 to write
     */
    public static List<String> forRecording(String ffmpegDir, String contentType, Path firstChunk, Path output)
            throws IOException, InterruptedException {
        FfmpegBinaries binaries = FfmpegBinaries.locate(ffmpegDir);
        InputFormat format = InputFormat.of(contentType);
        MediaInfo input;
        try (InputStream in = Files.newInputStream(firstChunk)) {
            input = new MediaProbe(binaries.prober()).probe(in, format, firstChunk.getFileName().toString());
        }
        CodecPlan plan = CodecPlan.choose(input, FfmpegCapabilities.detect(binaries.ffmpeg()));
        List<String> cmd = new ArrayList<>();
        cmd.add(binaries.ffmpeg().toString());
        cmd.addAll(FfmpegJoin.GLOBAL_ARGUMENTS);
        cmd.add("-y");
        cmd.addAll(format.stdinOptions());
        if (format.matroska()) {
            cmd.addAll(FfmpegJoin.GENPTS);
        }
        cmd.addAll(List.of("-i", "pipe:0"));
        cmd.addAll(plan.outputArguments());
        cmd.add(output.toString());
        return cmd;
    }
}
