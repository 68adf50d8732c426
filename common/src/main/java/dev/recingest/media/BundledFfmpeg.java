package dev.recingest.media;

import java.io.IOException;
import java.io.InputStream;
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
 * by an atomic rename, so concurrent processes never run a half-written file.
 */
final class BundledFfmpeg {

    static final String RESOURCE = "/ws/schild/jave/nativebin/ffmpeg-amd64";
    private static final String POM = "/META-INF/maven/ws.schild/jave-nativebin-linux64/pom.properties";

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
        Path dir = cacheRoot().resolve("ffmpeg-jave-" + version);
        Path target = dir.resolve("ffmpeg");
        if (Files.isExecutable(target)) {
            return Optional.of(target);
        }
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "ffmpeg-", ".part");
        try (InputStream in = BundledFfmpeg.class.getResourceAsStream(RESOURCE)) {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return Optional.of(target);
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
