package dev.recingest.live;

import dev.recingest.media.ParentDeath;
import dev.recingest.merge.CodecPlan;
import dev.recingest.merge.FfmpegJoin;
import dev.recingest.merge.InputFormat;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One FFmpeg process of a live rendition: the recording's bytes go in on its standard input, read only as the
 * demuxer the content type names and with no protocol but the pipe ({@link InputFormat}, as every merge run), and
 * a fragmented MP4 comes out on its standard output ({@link CodecPlan#forFragments}). Started under
 * {@link ParentDeath} so it dies with the merger: start it from the thread that waits for it.
 */
final class Remux implements AutoCloseable {

    private static final int TAIL_LINES = 8;
    /**
     * How much of the input FFmpeg analyses before it writes anything: its default, 5 s of media, held every new
     * rendition's first segment back 5 s (measured: the first fragment at 5.0 s of a recording fed in real time, at
     * 1.0 s with this). The chunks were already probed as media ({@link Rendition}), so one second finds the codec
     * parameters of every stream a recording has; copied streams keep their input timestamps either way.
     */
    static final List<String> ANALYSE_ONE_SECOND = List.of("-analyzeduration", "1000000");

    private final Process process;
    private final OutputStream stdin;
    private final Deque<String> tail = new ArrayDeque<>();
    private final Thread stderr;

    private Remux(Process process) {
        this.process = process;
        this.stdin = new BufferedOutputStream(process.getOutputStream(), 1 << 16);
        this.stderr = new Thread(this::drainErrors, "live-ffmpeg-stderr");
        stderr.setDaemon(true);
        stderr.start();
    }

    /** The command line: FFmpeg reading {@code format} on stdin, writing {@code plan}'s fragmented MP4 on stdout. */
    static List<String> command(Path ffmpeg, InputFormat format, CodecPlan plan) {
        List<String> cmd = new ArrayList<>(ParentDeath.prefix());
        cmd.add(ffmpeg.toString());
        cmd.addAll(FfmpegJoin.GLOBAL_ARGUMENTS);
        cmd.addAll(format.stdinOptions());
        cmd.addAll(ANALYSE_ONE_SECOND);
        if (format.matroska()) {
            cmd.addAll(FfmpegJoin.GENPTS);
        }
        cmd.addAll(List.of("-i", "pipe:0"));
        cmd.addAll(plan.outputArguments());
        cmd.add("pipe:1");
        return cmd;
    }

    static Remux start(Path ffmpeg, InputFormat format, CodecPlan plan) throws IOException {
        return new Remux(new ProcessBuilder(command(ffmpeg, format, plan)).start());
    }

    /** Where the recording's bytes go, in order. */
    OutputStream input() {
        return stdin;
    }

    /** The fragmented MP4. */
    InputStream output() {
        return process.getInputStream();
    }

    /** Ends the input: FFmpeg writes out what it holds and exits. */
    void endInput() throws IOException {
        stdin.close();
    }

    /** Waits for the exit; its status, or -1 if it did not exit within {@code seconds} (it is then killed). */
    int await(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            close();
            return -1;
        }
        stderr.join(1000);
        return process.exitValue();
    }

    /** FFmpeg's last lines of errors, for a failure's message. */
    String errors() {
        synchronized (tail) {
            return String.join(" | ", tail);
        }
    }

    long pid() {
        return process.pid();
    }

    private void drainErrors() {
        try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > TAIL_LINES) {
                        tail.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    /** Kills FFmpeg (and setpriv's child, if it runs under it). */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            stdin.close();
        } catch (IOException e) {
            // already gone
        }
    }
}
