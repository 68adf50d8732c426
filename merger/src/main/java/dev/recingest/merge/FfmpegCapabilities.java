package dev.recingest.merge;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the located FFmpeg can do, asked once at startup: which encoders it has (a distribution's
 * FFmpeg may lack libx264) and whether it knows {@code -fps_mode} (5.1+) or only the older
 * {@code -vsync}. Plain processes rather than Jaffree: Jaffree runs conversions and has no call for
 * FFmpeg's listings.
 *
 * @param encoders names of the encoders, such as {@code libx264}, {@code mpeg4}, {@code aac}
 */
public record FfmpegCapabilities(Set<String> encoders, boolean fpsMode) {

    private static final Logger LOG = LoggerFactory.getLogger(FfmpegCapabilities.class);
    // " V....D libx264   libx264 H.264 ..." : flags, then the encoder name.
    private static final Pattern ENCODER_LINE = Pattern.compile("^\\s*[VAS][.A-Z]{5}\\s+(\\S+)\\s");

    public FfmpegCapabilities {
        encoders = Set.copyOf(encoders);
    }

    public static FfmpegCapabilities detect(Path ffmpeg) {
        String encoderList = run(ffmpeg, "-hide_banner", "-encoders");
        Set<String> encoders = encoderList.lines().map(ENCODER_LINE::matcher).filter(Matcher::find)
                .map(m -> m.group(1)).collect(Collectors.toSet());
        boolean fpsMode = run(ffmpeg, "-hide_banner", "-h", "long").contains("-fps_mode");
        FfmpegCapabilities caps = new FfmpegCapabilities(encoders, fpsMode);
        LOG.atInfo().addKeyValue("ffmpeg", ffmpeg).addKeyValue("encoders", encoders.size())
                .addKeyValue("libx264", caps.has("libx264")).addKeyValue("fpsMode", fpsMode).log("ffmpeg capabilities");
        return caps;
    }

    public boolean has(String encoder) {
        return encoders.contains(encoder);
    }

    /** The output options that pass video frames on with their own timestamps (no CFR duplication). */
    List<String> variableFrameRate() {
        return fpsMode ? List.of("-fps_mode", "vfr") : List.of("-vsync", "vfr");
    }

    private static String run(Path ffmpeg, String... args) {
        List<String> command = new java.util.ArrayList<>();
        command.add(ffmpeg.toString());
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("ffmpeg " + String.join(" ", args) + " did not finish");
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + ffmpeg, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking ffmpeg for its encoders", e);
        }
    }
}
