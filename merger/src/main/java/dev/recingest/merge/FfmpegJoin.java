package dev.recingest.merge;

import com.github.kokorin.jaffree.ffmpeg.FFmpeg;
import com.github.kokorin.jaffree.ffmpeg.FFmpegProgress;
import com.github.kokorin.jaffree.ffmpeg.FFmpegResultFuture;
import com.github.kokorin.jaffree.ffmpeg.Input;
import com.github.kokorin.jaffree.ffmpeg.PipeInput;
import com.github.kokorin.jaffree.ffmpeg.UrlInput;
import com.github.kokorin.jaffree.ffmpeg.UrlOutput;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs FFmpeg (through Jaffree) to write the output MP4, from one of the two inputs a merge can have:
 * the chunks as one byte stream, or a concat list of segment files. The process is killed when it runs
 * past its timeout or the calling thread is interrupted (worker shutdown).
 */
final class FfmpegJoin {

    /**
     * The options every run starts with, before its input. Errors only: byte-joined MPEG-TS segments
     * restart their continuity counters, which FFmpeg reports as a "corrupt packet" warning per segment
     * while copying them intact. Passed as an argument (FFmpeg reads -loglevel anywhere) because Jaffree's
     * setLogLevel below INFO logs a warning on every run; "level+" keeps the level prefixes Jaffree parses.
     * Shared with {@link ByteJoinCommand}, so the benchmark's baseline runs exactly these.
     */
    static final List<String> GLOBAL_ARGUMENTS = List.of("-nostdin", "-hide_banner", "-loglevel", "level+error");

    /** Lines of FFmpeg's stderr kept for the error message of a failed run. */
    private static final int TAIL_LINES = 8;

    /** Input options for a stream whose demuxer must fill in missing timestamps (MediaRecorder WebM). */
    static final List<String> GENPTS = List.of("-fflags", "+genpts");

    private final Path ffmpeg;
    private final Duration timeout;

    FfmpegJoin(Path ffmpeg, Duration timeout) {
        this.ffmpeg = ffmpeg;
        this.timeout = timeout;
    }

    /**
     * Reads the whole recording from {@code in}. Jaffree serves the stream to FFmpeg over a loopback
     * socket, which FFmpeg reads like stdin: once, in order, never seeking.
     *
     * @param genpts ask the demuxer to fill in missing presentation timestamps (MediaRecorder WebM)
     */
    void fromStream(InputStream in, boolean genpts, CodecPlan plan, Path output, String context)
            throws InterruptedException {
        PipeInput input = PipeInput.pumpFrom(in);
        if (genpts) {
            GENPTS.forEach(input::addArgument);
        }
        run(input, plan, output, context);
    }

    /** Joins the files of an ffconcat list (each with its duration) with the concat demuxer. */
    void fromConcatList(Path list, CodecPlan plan, Path output, String context) throws InterruptedException {
        run(UrlInput.fromPath(list).setFormat("concat"), plan, output, context);
    }

    private void run(Input input, CodecPlan plan, Path output, String context) throws InterruptedException {
        UrlOutput out = UrlOutput.toPath(output);
        plan.outputArguments().forEach(out::addArgument);
        Deque<String> tail = new ArrayDeque<>();
        // Jaffree reports progress over its own socket (-progress); the last report says how far a run
        // got when it fails or times out. (Without a listener Jaffree also warns on every run.)
        AtomicReference<FFmpegProgress> last = new AtomicReference<>();
        FFmpeg ffmpegRun = new FFmpeg(ffmpeg);
        GLOBAL_ARGUMENTS.forEach(ffmpegRun::addArgument);
        FFmpegResultFuture future = ffmpegRun
                .setOverwriteOutput(true)
                .setContextName(context)
                .setProgressListener(last::set)
                .setOutputListener(line -> {
                    synchronized (tail) {
                        tail.addLast(line);
                        if (tail.size() > TAIL_LINES) {
                            tail.removeFirst();
                        }
                    }
                })
                .addInput(input)
                .addOutput(out)
                .executeAsync();
        try {
            future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.forceStop();
            throw new MergeFailure(MergeError.FFMPEG_FAILED, "ffmpeg did not finish within " + timeout
                    + reached(last.get()), e);
        } catch (InterruptedException e) {
            future.forceStop();
            throw e;
        } catch (ExecutionException e) {
            String lines;
            synchronized (tail) {
                lines = String.join(" | ", tail);
            }
            throw new MergeFailure(MergeError.FFMPEG_FAILED, "ffmpeg failed: " + e.getCause().getMessage()
                    + reached(last.get()) + (lines.isEmpty() ? "" : "; last output: " + lines), e.getCause());
        }
    }

    private static String reached(FFmpegProgress p) {
        return p == null || p.getTimeMillis() == null ? "" : " (output reached " + p.getTimeMillis() / 1000.0 + " s)";
    }
}
