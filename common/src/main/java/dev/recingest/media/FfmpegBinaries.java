package dev.recingest.media;

import dev.recingest.config.Setting;
import dev.recingest.config.SettingGroup;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where {@code ffmpeg} is and how media is probed. In order: the directory named by
 * {@code RECINGEST_FFMPEG_DIR}, the system's PATH, then the fallback that needs nothing installed
 * (linux-x86_64): the statically linked ffmpeg of the {@code ws.schild:jave-nativebin-linux64} artifact
 * ({@link BundledFfmpeg}) and, since that artifact has no ffprobe, probing with libavformat inside the JVM
 * ({@link LibavProbe}). Why this fallback: {@code docs/FFMPEG.md}.
 *
 * @param ffmpeg  the ffmpeg executable
 * @param ffprobe the ffprobe executable, or null when probing happens in the JVM
 * @param origin  where they were found, for logs
 */
public record FfmpegBinaries(Path ffmpeg, Path ffprobe, String origin) {

    public static final SettingGroup SETTINGS = new SettingGroup("FFmpeg");
    public static final Setting<String> DIR = SETTINGS.add(Setting.string("RECINGEST_FFMPEG_DIR", null,
            "directory with `ffmpeg` (and `ffprobe`); unset: the ones on PATH, else the bundled fallback (linux-x86_64)")
            .defaultsTo("PATH, then bundled"));

    /** What to do where there is no FFmpeg and no fallback for the platform. */
    static final String INSTALL_HINT = "install FFmpeg (macOS: `brew install ffmpeg`; Debian/Ubuntu: `sudo apt-get install "
            + "ffmpeg`; Fedora: `sudo dnf install ffmpeg-free`; Alpine: `apk add ffmpeg`; Windows: `winget install "
            + "Gyan.FFmpeg`), or set RECINGEST_FFMPEG_DIR to a folder holding ffmpeg and ffprobe";

    private static final Logger LOG = LoggerFactory.getLogger(FfmpegBinaries.class);
    private static volatile FfmpegBinaries located;
    private static volatile String configuredDir = System.getenv(DIR.env());

    /** The directory of {@code RECINGEST_FFMPEG_DIR} as the launcher read it (flag or environment); null: none. */
    public static void configure(String dir) {
        configuredDir = dir;
    }

    /** Finds the binaries once per process; later calls return the same answer. */
    public static FfmpegBinaries locate(String configuredDir) {
        FfmpegBinaries b = located;
        if (b == null) {
            synchronized (FfmpegBinaries.class) {
                b = located;
                if (b == null) {
                    b = find(configuredDir, System.getenv("PATH"));
                    LOG.atInfo().addKeyValue("ffmpeg", b.ffmpeg)
                            .addKeyValue("ffprobe", b.ffprobe == null ? "in-process" : b.ffprobe)
                            .addKeyValue("origin", b.origin).log("ffmpeg located");
                    located = b;
                }
            }
        }
        return b;
    }

    public static FfmpegBinaries locate() {
        return locate(configuredDir);
    }

    /** How this installation probes media: the ffprobe program, or libavformat in the JVM without one. */
    public MediaProber prober() {
        return ffprobe != null ? new FfprobeProcess(ffprobe) : LibavProbe.get();
    }

    /** True when this is the bundled fallback rather than an installed FFmpeg. */
    public boolean bundled() {
        return origin.startsWith("bundled");
    }

    static FfmpegBinaries find(String configuredDir, String path) {
        if (configuredDir != null && !configuredDir.isBlank()) {
            Path dir = Path.of(configuredDir);
            Path ffmpeg = dir.resolve("ffmpeg");
            if (!Files.isExecutable(ffmpeg)) {
                throw new IllegalStateException(DIR.env() + "=" + configuredDir + " holds no executable ffmpeg; "
                        + INSTALL_HINT);
            }
            Path ffprobe = dir.resolve("ffprobe");
            return new FfmpegBinaries(ffmpeg, Files.isExecutable(ffprobe) ? ffprobe : null, DIR.env());
        }
        Optional<Path> ffmpeg = onPath("ffmpeg", path);
        if (ffmpeg.isPresent()) {
            return new FfmpegBinaries(ffmpeg.get(), onPath("ffprobe", path).orElse(null), "PATH");
        }
        if (!BundledFfmpeg.supported()) {
            throw new IllegalStateException("no ffmpeg on PATH, and the bundled fallback exists for linux-x86_64 only (this is "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch") + "): " + INSTALL_HINT);
        }
        try {
            Path bundled = BundledFfmpeg.extract().orElseThrow(() -> new IllegalStateException(
                    "no ffmpeg on PATH and ws.schild:jave-nativebin-linux64 is not on the class path: " + INSTALL_HINT));
            return new FfmpegBinaries(bundled, null, "bundled: static ffmpeg of ws.schild:jave-nativebin-linux64, "
                    + "probing by libavformat in the JVM");
        } catch (IOException e) {
            throw new IllegalStateException("no ffmpeg on PATH and the bundled one cannot be extracted (" + e.getMessage()
                    + "): " + INSTALL_HINT, e);
        }
    }

    private static Optional<Path> onPath(String program, String path) {
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
