package dev.recingest.agent.push;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The MIME type of a media file, from its extension: the pusher has no reason to sniff bytes. */
public final class ContentTypes {

    public static final String MPEG_TS = "video/mp2t";

    private static final Map<String, String> BY_EXTENSION = Map.of(
            "webm", "video/webm",
            "mp4", "video/mp4",
            "m4v", "video/mp4",
            "ts", MPEG_TS,
            "mkv", "video/x-matroska",
            "mov", "video/quicktime",
            "m4a", "audio/mp4",
            "weba", "audio/webm");

    private ContentTypes() {
    }

    public static Optional<String> of(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        if (dot < 0) {
            return Optional.empty();
        }
        return Optional.ofNullable(BY_EXTENSION.get(name.substring(dot + 1).toLowerCase(Locale.ROOT)));
    }

    /** The content type of {@code file}; fails with a message that says how to fix it. */
    public static String require(Path file) {
        return of(file).orElseThrow(() -> new IllegalArgumentException("cannot tell the content type of "
                + file.getFileName() + " from its extension; give one explicitly"));
    }
}
