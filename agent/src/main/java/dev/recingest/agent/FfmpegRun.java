package dev.recingest.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One FFmpeg process of a recording: it reads the source and writes segments with the segment muxer
 * into its own run folder, with a CSV segment list and a progress feed on stdout. The recorder asks it
 * which segments are finished, how far the output has got (to see a stalled source), and which codecs
 * the input has.
 *
 * <p>A segment is finished once it is in the segment list and the next segment exists or FFmpeg has
 * exited: FFmpeg writes a list entry just before it closes that segment's file.
 *
 * <p>The process must not outlive the agent (an orphan would keep writing into a spool that a
 * restarted agent is using): on Linux it is started through {@code setpriv --pdeathsig KILL}, and its
 * pid is kept in the run folder so that a restarted agent can end a leftover one ({@link #endLeftover}).
 *
 * <p>Past 300 lines because the process's whole life is here (command line, start under pdeathsig, the
 * progress feed, the segment list, the leftover from a killed agent, the end): each reads what the others
 * wrote in the run folder, so split apart they would share that folder's layout through package-private state.
 */
final class FfmpegRun {

    private static final Logger LOG = LoggerFactory.getLogger(FfmpegRun.class);
    private static final String LIST = "list.csv";
    private static final String PID = "ffmpeg.pid";
    private static final int LOG_TAIL_LINES = 40;
    private static final List<String> PARENT_DEATH_SIGNAL = dev.recingest.media.ParentDeath.prefix();

    private final Path dir;
    private final String extension;
    private final Process process;
    private final ArrayDeque<String> logTail = new ArrayDeque<>();
    private final CompletableFuture<InputStreams> inputStreams = new CompletableFuture<>();
    private volatile long outTimeMicros = -1;
    private volatile long lastProgressNanos;
    private volatile boolean stopRequested;
    private long listOffset;
    /** Listed segments not handed out yet; consumed from the front, so a long run holds only a few. */
    private final ArrayDeque<String> listed = new ArrayDeque<>();
    private final List<Thread> readers = new ArrayList<>();

    private FfmpegRun(Path dir, String extension, Process process) {
        this.dir = dir;
        this.extension = extension;
        this.process = process;
        this.lastProgressNanos = System.nanoTime();
    }

    /**
     * Starts FFmpeg: {@code input} (options and {@code -i}), then {@code output} options, then the segment
     * muxer writing {@code seg-%06d.<ext>} segments of {@code segmentTime} into {@code dir}.
     */
    static FfmpegRun start(Path ffmpeg, Path dir, List<String> input, List<String> output, SegmentPlan plan,
                           Duration segmentTime) throws IOException {
        List<String> cmd = new ArrayList<>(PARENT_DEATH_SIGNAL);
        cmd.addAll(List.of(ffmpeg.toString(), "-nostdin", "-hide_banner", "-loglevel", "info", "-nostats",
                "-progress", "pipe:1", "-stats_period", "0.5"));
        cmd.addAll(input);
        cmd.addAll(output);
        cmd.addAll(plan.codecArguments());
        cmd.addAll(List.of("-f", "segment", "-segment_time", seconds(segmentTime),
                "-segment_format", plan.container().muxer, "-reset_timestamps", "0",
                "-segment_list", dir.resolve(LIST).toString(), "-segment_list_type", "csv",
                dir.resolve("seg-%06d." + plan.container().extension).toString()));
        LOG.atDebug().addKeyValue("dir", dir).addKeyValue("command", LiveSource.redact(String.join(" ", cmd)))
                .log("ffmpeg started");
        Process p = new ProcessBuilder(cmd).start();
        Files.writeString(dir.resolve(PID), Long.toString(p.pid()));
        FfmpegRun run = new FfmpegRun(dir, plan.container().extension, p);
        run.readInBackground(p.getInputStream(), "ffmpeg-progress", run::onProgressLine);
        InputStreams.LogReader streams = new InputStreams.LogReader();
        run.readInBackground(p.getErrorStream(), "ffmpeg-log", line -> run.onLogLine(line, streams));
        p.onExit().thenRun(() -> run.inputStreams.complete(streams.streams()));
        return run;
    }

    /**
     * Ends an FFmpeg left running in {@code runDir} by an agent that died without taking it along (no
     * {@code setpriv}), so that it stops writing there. Only a process whose command line names that
     * folder is touched.
     */
    static void endLeftover(Path runDir) {
        Path pidFile = runDir.resolve(PID);
        try {
            if (!Files.exists(pidFile)) {
                return;
            }
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            Optional<ProcessHandle> h = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(ph -> ph.info().commandLine().map(c -> c.contains(runDir.toString())).orElse(false));
            if (h.isPresent()) {
                LOG.atWarn().addKeyValue("pid", pid).addKeyValue("dir", runDir).log("leftover ffmpeg killed");
                h.get().destroyForcibly();
                h.get().onExit().get(10, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            LOG.atWarn().addKeyValue("dir", runDir).addKeyValue("error", e.toString()).log("leftover ffmpeg check failed");
        }
    }

    /**
     * Segments of a dead run's folder that can still be delivered, in order: every listed one (FFmpeg
     * finished it), then the one it was writing when it died if it is MPEG-TS, cut to whole 188-byte
     * packets (a TS file plays up to its last whole packet; any other container is unreadable without its
     * ending).
     */
    static List<Path> salvage(Path runDir, String extension) throws IOException {
        List<Path> out = new ArrayList<>();
        for (String name : readList(runDir.resolve(LIST))) {
            Path p = runDir.resolve(name);
            if (Files.exists(p) && Files.size(p) > 0) {
                out.add(p);
            }
        }
        try (var files = Files.list(runDir)) {
            List<Path> unlisted = files.filter(p -> p.getFileName().toString().startsWith("seg-"))
                    .filter(p -> !out.contains(p)).sorted().toList();
            for (Path p : unlisted) {
                long whole = Files.size(p) / 188 * 188;
                if (extension.equals("ts") && whole > 0) {
                    try (var ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.WRITE)) {
                        ch.truncate(whole);
                    }
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** Segments finished since the last call, in order. Call from one thread. */
    List<Path> finishedSegments() throws IOException {
        boolean exited = !process.isAlive();
        readNewListEntries();
        List<Path> out = new ArrayList<>();
        while (!listed.isEmpty()) {
            Path seg = dir.resolve(listed.peekFirst());
            Path following = dir.resolve(String.format("seg-%06d.%s", segmentNumber(seg) + 1, extension));
            if (!exited && !Files.exists(following)) {
                break;
            }
            out.add(seg);
            listed.removeFirst();
        }
        return out;
    }

    private void readNewListEntries() throws IOException {
        Path list = dir.resolve(LIST);
        if (!Files.exists(list)) {
            return;
        }
        try (var ch = java.nio.channels.FileChannel.open(list)) {
            long size = ch.size();
            if (size <= listOffset) {
                return;
            }
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) (size - listOffset));
            ch.read(buf, listOffset);
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
            int lastNewline = text.lastIndexOf('\n');
            if (lastNewline < 0) {
                return;
            }
            listOffset += text.substring(0, lastNewline + 1).getBytes(StandardCharsets.UTF_8).length;
            for (String line : text.substring(0, lastNewline).split("\n")) {
                if (!line.isBlank()) {
                    listed.add(line.split(",")[0]);
                }
            }
        }
    }

    private static List<String> readList(Path list) throws IOException {
        if (!Files.exists(list)) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(list)) {
            if (!line.isBlank() && line.contains(",")) {
                names.add(line.split(",")[0]);
            }
        }
        return names;
    }

    private static long segmentNumber(Path seg) {
        String n = seg.getFileName().toString();
        return Long.parseLong(n.substring("seg-".length(), n.indexOf('.')));
    }

    /** Completes with the input's codecs once FFmpeg printed them (or exited without). */
    CompletableFuture<InputStreams> inputStreams() {
        return inputStreams;
    }

    /** Output time FFmpeg reached, in microseconds; -1 before the first packet. */
    long outTimeMicros() {
        return outTimeMicros;
    }

    /** When the output time last moved (or the run started). */
    long lastProgressNanos() {
        return lastProgressNanos;
    }

    /** False once FFmpeg has exited and everything it printed has been read. */
    boolean isAlive() {
        if (process.isAlive()) {
            return true;
        }
        awaitReaders();
        return false;
    }

    /** The last progress lines may still be in the pipe when the process is gone: read them first. */
    private void awaitReaders() {
        for (Thread t : readers) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    boolean stopRequested() {
        return stopRequested;
    }

    /** Exit code once exited. */
    int exitCode() {
        return process.exitValue();
    }

    boolean awaitExit(Duration d) throws InterruptedException {
        return process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * SIGTERM, which FFmpeg takes as "finish": at its next packet it closes the current segment, lists it
     * and exits. A source that sends nothing leaves it blocked in a read, which one signal does not
     * interrupt; RTP gives up by itself after 10 s of silence (and finishes properly), so {@code grace}
     * should exceed that. After the grace a second SIGTERM breaks the read, but FFmpeg then abandons the
     * segment it was writing (its trailer fails), which is logged; if even that does not end it, it is
     * killed.
     */
    void stop(Duration grace) throws InterruptedException {
        stopRequested = true;
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.atWarn().addKeyValue("dir", dir).addKeyValue("graceMs", grace.toMillis())
                    .log("ffmpeg not ended by SIGTERM, interrupted; the segment in progress is lost");
            process.destroy();
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        awaitReaders();
    }

    /** Kills at once (a run whose output is thrown away). */
    void kill() throws InterruptedException {
        stopRequested = true;
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        awaitReaders();
    }

    /** The last lines FFmpeg logged, for error messages. */
    String logTail() {
        synchronized (logTail) {
            return String.join("\n", logTail);
        }
    }

    Path dir() {
        return dir;
    }

    private void onProgressLine(String line) {
        if (line.startsWith("out_time_us=")) {
            try {
                long t = Long.parseLong(line.substring("out_time_us=".length()).strip());
                if (t > outTimeMicros) {
                    outTimeMicros = t;
                    lastProgressNanos = System.nanoTime();
                }
            } catch (NumberFormatException e) {
                // "N/A" before the first packet
            }
        }
    }

    private void onLogLine(String line, InputStreams.LogReader streams) {
        synchronized (logTail) {
            if (logTail.size() == LOG_TAIL_LINES) {
                logTail.removeFirst();
            }
            logTail.addLast(line);
        }
        if (streams.accept(line)) {
            inputStreams.complete(streams.streams());
        }
        String l = line.toLowerCase(Locale.ROOT);
        if (l.contains("error") || l.contains("invalid")) {
            LOG.atDebug().addKeyValue("dir", dir).addKeyValue("line", LiveSource.redact(line)).log("ffmpeg output");
        }
    }

    private void readInBackground(InputStream in, String name, java.util.function.Consumer<String> sink) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    sink.accept(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, name);
        t.setDaemon(true);
        readers.add(t);
        t.start();
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3f", d.toMillis() / 1000.0);
    }
}
