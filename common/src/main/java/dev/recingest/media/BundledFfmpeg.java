package dev.recingest.media;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/**
 * The statically linked {@code ffmpeg} (4.4.1, John Van Sickle's build: libx264, libvpx, libopus, libaom,
 * libdav1d, …) shipped in the {@code ws.schild:jave-nativebin-linux64} artifact: an executable that needs
 * nothing from the system, not even glibc. Extracted once to a cache folder named after the artifact's
 * version ({@code $XDG_CACHE_HOME/recingest}, else {@code ~/.cache/recingest}, else the temporary folder),
 * by atomic renames, so concurrent processes never run a half-written file; callers run a small launcher
 * script next to it ({@link #launcherScript}).
 */
final class BundledFfmpeg {

    static final String RESOURCE = "/ws/schild/jave/nativebin/ffmpeg-amd64";
    private static final String POM = "/META-INF/maven/ws.schild/jave-nativebin-linux64/pom.properties";
    /** Bumped when what is extracted changes, so an older extraction is not taken for this one. */
    private static final String LAYOUT = "3";

    private BundledFfmpeg() {
    }

    /** True on the one platform the artifact has a binary for. */
    static boolean supported() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64"));
    }

    /** The extracted executable, or empty when the artifact is not on the class path. */
    static Optional<Path> extract() throws IOException {
        if (BundledFfmpeg.class.getResource(RESOURCE) == null) {
            return Optional.empty();
        }
        String version = "unknown";
        try (InputStream in = BundledFfmpeg.class.getResourceAsStream(POM)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                version = p.getProperty("version", version);
            }
        }
        Path dir = cacheRoot().resolve("ffmpeg-jave-" + version + "-" + LAYOUT);
        Path launcher = dir.resolve("ffmpeg");
        if (Files.isExecutable(launcher)) {
            return Optional.of(launcher);
        }
        Files.createDirectories(dir);
        // Named ffmpeg too, in a folder of its own: process listings (and tests that look for a running
        // ffmpeg) see "ffmpeg", since the launcher execs it.
        Path binary = Files.createDirectories(dir.resolve("static")).resolve("ffmpeg");
        try (InputStream in = BundledFfmpeg.class.getResourceAsStream(RESOURCE)) {
            writeAtomically(dir, binary, in);
        }
        Path noGconv = Files.createDirectories(dir.resolve("no-gconv"));
        writeAtomically(dir, launcher, new java.io.ByteArrayInputStream(
                launcherScript(binary, noGconv).getBytes(StandardCharsets.UTF_8)));
        return Optional.of(launcher);
    }

    /**
     * The program callers run: a shell script that runs the static binary with {@code GCONV_PATH} on an empty
     * folder. A statically linked glibc still loads iconv's character-set modules at run time, from the
     * system's glibc, of another version: the MPEG-TS demuxer converts DVB service names with iconv, and
     * every MPEG-TS input then crashed the binary (SIGSEGV). Without modules iconv fails cleanly and only
     * the service names stay unconverted. {@code exec} keeps the process id, so a kill reaches ffmpeg.
     */
    static String launcherScript(Path binary, Path noGconv) {
        return "#!/bin/sh\n# recingest: the bundled static ffmpeg (see BundledFfmpeg.java)\n"
                + "GCONV_PATH='" + noGconv + "' exec '" + binary + "' \"$@\"\n";
    }

    /** Streams (the binary is 77 MB; a merger may run in a small heap) to a temporary file, then renames. */
    private static void writeAtomically(Path dir, Path target, InputStream content) throws IOException {
        Path tmp = Files.createTempFile(dir, target.getFileName().toString(), ".part");
        try {
            Files.copy(content, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static Path cacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path home = Path.of(System.getProperty("user.home", "/nonexistent"));
        Path root = xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".cache");
        if (Files.isDirectory(root) ? Files.isWritable(root) : Files.isWritable(root.getParent() == null ? root : root.getParent())) {
            return root.resolve("recingest");
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "recingest-" + System.getProperty("user.name", "user"));
    }
}
