package dev.recingest.merge;

import com.github.kokorin.jaffree.ffmpeg.FFmpeg;
import com.github.kokorin.jaffree.ffmpeg.FFmpegProgress;
import com.github.kokorin.jaffree.ffmpeg.FFmpegResultFuture;
import com.github.kokorin.jaffree.ffmpeg.Input;
import com.github.kokorin.jaffree.ffmpeg.UrlInput;
import com.github.kokorin.jaffree.ffmpeg.UrlOutput;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs FFmpeg (through Jaffree) to write the output MP4, or a part's intermediate file, from one of the inputs a
 * merge can have: the chunks as one byte stream, a concat list of segment files, each read as its
 * {@link InputFormat}, or the parts' intermediate files joined by the concat filter.
 * The process is killed when it runs past its time limit, makes no progress for the stall timeout, or
 * the calling thread is interrupted (worker shutdown). How it ended decides the error: killed by a signal
 * or a full disk may go better next time; an error exit over the same bytes will not.
 */
public final class FfmpegJoin {

    /**
     * The options every run starts with, before its input. Errors only: byte-joined MPEG-TS segments
     * restart their continuity counters, which FFmpeg reports as a "corrupt packet" warning per segment
     * while copying them intact. Passed as an argument (FFmpeg reads -loglevel anywhere) because Jaffree's
     * setLogLevel below INFO logs a warning on every run; "level+" keeps the level prefixes Jaffree parses.
     * Shared with {@link ByteJoinCommand}, so the benchmark's baseline runs exactly these.
     */
    public static final List<String> GLOBAL_ARGUMENTS = List.of("-nostdin", "-hide_banner", "-loglevel", "level+error");

    /** Lines of FFmpeg's stderr kept for the error message of a failed run. */
    private static final int TAIL_LINES = 8;
    /** How often the watchdog looks at the run's progress. */
    private static final Duration WATCH_EVERY = Duration.ofSeconds(1);
    /** How long a stopped run gets to exit before it is killed (SIGKILL). */
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    /** How long a killed run may take to be gone before the stop returns anyway. */
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);
    private static final Pattern EXIT_STATUS = Pattern.compile("non-zero status: (-?[0-9]+)");

    /** Input options for a stream whose demuxer must fill in missing timestamps (MediaRecorder WebM). */
    public static final List<String> GENPTS = List.of("-fflags", "+genpts");

    private final Path ffmpeg;
    private final Duration stallTimeout;

    FfmpegJoin(Path ffmpeg, Duration stallTimeout) {
        this.ffmpeg = ffmpeg;
        this.stallTimeout = stallTimeout;
    }

    /**
     * Reads the whole recording from {@code in}. Jaffree serves the stream to FFmpeg over a loopback
     * socket, which FFmpeg reads like stdin: once, in order, never seeking.
     *
     * @param fed   bytes handed to FFmpeg so far: input moving counts as progress for the stall watchdog
     * @param limit the longest the run may take
     */
    void fromStream(InputStream in, InputFormat format, CodecPlan plan, Path output, String context, LongSupplier fed,
                    Duration limit) throws InterruptedException {
        CheckedPipeInput input = CheckedPipeInput.pumpFrom(in);
        format.socketOptions().forEach(input::addArgument);
        if (format.matroska()) {
            GENPTS.forEach(input::addArgument);
        }
        run(List.of(input), List.of(), plan.outputArguments(), output, context, fed, limit);
        if (!input.consumedAll()) {
            throw new MergeFailure(MergeError.FFMPEG_FAILED, "ffmpeg ended without reading all of its input ("
                    + input.sent() + " bytes sent to it; it closed the stream with bytes unread)");
        }
    }

    /** Joins the files of an ffconcat list (each with its duration) with the concat demuxer. */
    void fromConcatList(Path list, InputFormat format, CodecPlan plan, Path output, String context, Duration limit)
            throws InterruptedException {
        UrlInput input = UrlInput.fromPath(list);
        format.concatListOptions().forEach(input::addArgument);
        run(List.of(input), List.of(), plan.outputArguments(), output, context, () -> 0, limit);
    }

    /**
     * Joins files (the parts' intermediates, each read as {@code format}) with {@code -filter_complex}
     * {@code graph}, whose outputs the plan's arguments map.
     */
    void fromFiltered(List<Path> files, InputFormat format, String graph, CodecPlan plan, Path output, String context,
                      Duration limit) throws InterruptedException {
        List<Input> inputs = new ArrayList<>();
        for (Path f : files) {
            UrlInput input = UrlInput.fromPath(f);
            format.fileOptions().forEach(input::addArgument);
            inputs.add(input);
        }
        run(inputs, List.of("-filter_complex", graph), plan.outputArguments(), output, context, () -> 0, limit);
    }

    /** What a run has done so far; the stall watchdog compares two of these. */
    private record Mark(Long outputMillis, Long outputBytes, long inputBytes) {
    }

    private void run(List<Input> inputs, List<String> global, List<String> outputArguments, Path output, String context,
                     LongSupplier fed, Duration limit) throws InterruptedException {
        UrlOutput out = UrlOutput.toPath(output);
        outputArguments.forEach(out::addArgument);
        Deque<String> tail = new ArrayDeque<>();
        // Jaffree reports progress over its own socket (-progress); the last report says how far a run
        // got when it fails or times out. (Without a listener Jaffree also warns on every run.)
        AtomicReference<FFmpegProgress> last = new AtomicReference<>();
        FFmpeg ffmpegRun = new FFmpeg(ffmpeg);
        GLOBAL_ARGUMENTS.forEach(ffmpegRun::addArgument);
        global.forEach(ffmpegRun::addArgument);
        inputs.forEach(ffmpegRun::addInput);
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
                .addOutput(out)
                .executeAsync();
        long started = System.nanoTime();
        long movedAt = started;
        Mark seen = null;
        while (true) {
            try {
                future.get(WATCH_EVERY.toMillis(), TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException e) {
                long now = System.nanoTime();
                FFmpegProgress p = last.get();
                Mark mark = new Mark(p == null ? null : p.getTimeMillis(), p == null ? null : p.getSize(), fed.getAsLong());
                if (!mark.equals(seen)) {
                    seen = mark;
                    movedAt = now;
                }
                if (now - started > limit.toNanos()) {
                    stop(future, output);
                    throw new MergeFailure(MergeError.FFMPEG_TIMEOUT, "ffmpeg did not finish within " + limit
                            + reached(p), e);
                }
                if (now - movedAt > stallTimeout.toNanos()) {
                    stop(future, output);
                    throw new MergeFailure(MergeError.FFMPEG_TIMEOUT, "ffmpeg made no progress for " + stallTimeout
                            + reached(p), e);
                }
            } catch (InterruptedException e) {
                stop(future, output);
                throw e;
            } catch (ExecutionException e) {
                String lines;
                synchronized (tail) {
                    lines = String.join(" | ", tail);
                }
                throw failure(e.getCause(), lines, last.get());
            }
        }
    }

    /**
     * Stops a run and makes sure its process is gone: Jaffree's stop asks FFmpeg to quit, which an FFmpeg blocked in a
     * system call (opening a FIFO, reading a hung disk) never sees, and which {@code -nostdin} makes it ignore anyway;
     * such a process, found among this JVM's children by the output it writes (one per attempt folder), is killed
     * after {@link #STOP_GRACE}. Before this, a stalled FFmpeg outlived its merge, and the merger's process.
     */
    private static void stop(FFmpegResultFuture future, Path output) {
        future.forceStop();
        String target = output.toString();
        List<ProcessHandle> runs = ProcessHandle.current().descendants()
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains(target)).orElse(false))
                .toList();
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        for (ProcessHandle run : runs) {
            try {
                run.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                killAndAwait(run);
            } catch (InterruptedException e) {
                run.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * SIGKILL, then waits (boundedly) until the process is gone: the signal is only sent by
     * {@code destroyForcibly}, and the caller (the merge's failure, the work folder's removal) must not run beside a
     * process still writing its output. Seen in CI: the stalled FFmpeg still listed alive just after the kill
     * while another test JVM loaded the machine.
     */
    private static void killAndAwait(ProcessHandle run) {
        run.destroyForcibly();
        try {
            run.onExit().get(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // a process SIGKILL does not end within the bound is in the kernel's hands; nothing more to send
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The error of a run that ended badly, by how it ended. */
    private static MergeFailure failure(Throwable cause, String lines, FFmpegProgress p) {
        String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        Matcher status = EXIT_STATUS.matcher(message);
        String detail = reached(p) + (lines.isEmpty() ? "" : "; last output: " + lines);
        if (lines.contains("No space left on device")) {
            return new MergeFailure(MergeError.NO_SPACE, "ffmpeg ran out of disk in the work directory" + detail, cause);
        }
        // Java reports a process killed by signal N as exit status 128 + N.
        if (status.find() && Integer.parseInt(status.group(1)) > 128) {
            int signal = Integer.parseInt(status.group(1)) - 128;
            return new MergeFailure(MergeError.FFMPEG_KILLED, "ffmpeg was killed by signal " + signal
                    + (signal == 9 ? " (out of memory?)" : "") + detail, cause);
        }
        return new MergeFailure(MergeError.FFMPEG_FAILED, "ffmpeg failed: " + message + detail, cause);
    }

    private static String reached(FFmpegProgress p) {
        return p == null || p.getTimeMillis() == null ? "" : " (output reached " + p.getTimeMillis() / 1000.0 + " s)";
    }
}
