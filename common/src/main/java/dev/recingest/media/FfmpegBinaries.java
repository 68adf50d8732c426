package dev.recingest.media;

import dev.recingest.config.Setting;
import dev.recingest.config.SettingGroup;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where {@code ffmpeg} and {@code ffprobe} are. In order: the directory named by
 * {@code RECINGEST_FFMPEG_DIR}, the system's PATH, then the programs shipped for linux-x86_64 in the
 * org.bytedeco ffmpeg artifact (extracted to the JavaCPP cache on first use), so that no system
 * install is needed.
 *
 * @param ffmpeg  the ffmpeg executable
 * @param ffprobe the ffprobe executable
 * @param origin  where they were found, for logs
 */
public record FfmpegBinaries(Path ffmpeg, Path ffprobe, String origin) {

    public static final SettingGroup SETTINGS = new SettingGroup("FFmpeg");
    public static final Setting<String> DIR = SETTINGS.add(Setting.string("RECINGEST_FFMPEG_DIR", null,
            "directory with `ffmpeg` and `ffprobe`; unset: the ones on PATH, else the bundled fallback (linux-x86_64)")
            .defaultsTo("PATH, then bundled"));

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
                    b = find(configuredDir);
                    LOG.info("ffmpeg={} ffprobe={} origin={}", b.ffmpeg, b.ffprobe, b.origin);
                    located = b;
                }
            }
        }
        return b;
    }

    public static FfmpegBinaries locate() {
        return locate(configuredDir);
    }

    private static FfmpegBinaries find(String configuredDir) {
        if (configuredDir != null && !configuredDir.isBlank()) {
            Path dir = Path.of(configuredDir);
            return new FfmpegBinaries(dir.resolve("ffmpeg"), dir.resolve("ffprobe"), "RECINGEST_FFMPEG_DIR");
        }
        Optional<Path> ffmpeg = onPath("ffmpeg");
        Optional<Path> ffprobe = onPath("ffprobe");
        if (ffmpeg.isPresent() && ffprobe.isPresent()) {
            return new FfmpegBinaries(ffmpeg.get(), ffprobe.get(), "PATH");
        }
        try {
            String f = org.bytedeco.javacpp.Loader.load(org.bytedeco.ffmpeg.ffmpeg.class);
            String p = org.bytedeco.javacpp.Loader.load(org.bytedeco.ffmpeg.ffprobe.class);
            return new FfmpegBinaries(Path.of(f), Path.of(p), "bytedeco ffmpeg artifact");
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new IllegalStateException("no ffmpeg on PATH and the bundled one could not be loaded", e);
        }
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
