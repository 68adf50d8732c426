package dev.recingest.merge;

import dev.recingest.merge.MediaInfo.StreamInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins a recording's parts, each already one continuous timeline in its own Matroska file (copied, not
 * encoded), into the MP4, in order, without the time between them (PROTOCOL.md, "part").
 *
 * <p>Parts whose streams match (the same codecs, picture size, sample rate and channels: a source that restarted,
 * a backup recorder with the same settings) are joined by the concat demuxer, each file told its duration, with
 * the codec plan of a single recording: stream copy where MP4 carries the codec, so nothing is encoded that
 * would not be anyway. Parts that differ (a reloaded page that got another camera size, a backup recorder with
 * other settings) cannot share one MP4 track as they are: they are joined by the concat filter and encoded once,
 * every picture fitted into the first part's frame size with its aspect ratio kept (scaled, then bars added),
 * every sound resampled to the first part's rate and layout. The first part's size because it is what the
 * recording was started with and what its viewers were shown first; fitting rather than stretching because a
 * part recorded at 4:3 after one at 16:9 must not look distorted; not the largest part's size, because enlarging
 * the other parts to it adds bytes without adding detail. A part without audio (or video) where others have it
 * gets silence (or black) for its duration, so sound and picture stay together across the join.
 */
final class PartsJoin {

    private static final Logger LOG = LoggerFactory.getLogger(PartsJoin.class);
    /** The parts' intermediate files. */
    static final InputFormat INTERMEDIATE = InputFormat.of("video/x-matroska");
    /**
     * How much shorter than its parts the MP4 may be: the joins place each part where the previous one ends, so
     * only rounding and the last frame's length differ. More than this means FFmpeg dropped media.
     */
    private static final double SHORTFALL_SECONDS = 1.0;

    /** One part's intermediate file, with what the manifest says of it (its duration still unknown). */
    record PartFile(Manifest.Part part, Path file) {
    }

    /**
     * @param first  FFprobe of the first part (what the output is checked against, with {@link #video} and
     *               {@link #audio})
     * @param parts  the manifest's parts, with their durations
     */
    record Joined(MediaInfo first, boolean video, boolean audio, String codecs, List<Manifest.Part> parts) {
    }

    private final MediaProbe probe;
    private final FfmpegJoin join;
    private final FfmpegCapabilities caps;

    PartsJoin(MediaProbe probe, FfmpegJoin join, FfmpegCapabilities caps) {
        this.probe = probe;
        this.join = join;
        this.caps = caps;
    }

    Joined join(List<PartFile> files, Path dir, Path output, String context, Duration limit) throws InterruptedException {
        List<MediaInfo> infos = new ArrayList<>();
        List<Manifest.Part> parts = new ArrayList<>();
        for (PartFile f : files) {
            MediaInfo info = probe.probe(f.file(), INTERMEDIATE);
            infos.add(info);
            parts.add(f.part().withDuration(info.durationSeconds()));
        }
        boolean video = infos.stream().anyMatch(i -> i.firstVideo().isPresent());
        boolean audio = infos.stream().anyMatch(i -> i.firstAudio().isPresent());
        String codecs;
        if (sameStreams(infos)) {
            CodecPlan plan = CodecPlan.choose(infos.get(0), caps);
            codecs = plan.describe(infos.get(0)) + ", " + files.size() + " parts by the concat demuxer";
            LOG.atInfo().addKeyValue("recording", context).addKeyValue("parts", files.size()).addKeyValue("join", "concat")
                    .addKeyValue("codecs", codecs).log("joining parts");
            join.fromConcatList(concatList(dir, files, infos), INTERMEDIATE, plan, output, context, limit);
        } else {
            Frame frame = Frame.of(infos);
            CodecPlan plan = CodecPlan.encodeJoined(video, audio, caps);
            codecs = "parts differ (" + describe(infos) + "): video ->" + plan.video() + " " + frame.describe(video)
                    + (audio ? ", audio ->" + plan.audio() : "") + ", " + files.size() + " parts by the concat filter";
            LOG.atInfo().addKeyValue("recording", context).addKeyValue("parts", files.size()).addKeyValue("join", "filter")
                    .addKeyValue("codecs", codecs).log("joining parts");
            join.fromFiltered(files.stream().map(PartFile::file).toList(), INTERMEDIATE, graph(infos, frame, video, audio),
                    plan, output, context, limit);
        }
        return new Joined(infos.get(0), video, audio, codecs, parts);
    }

    /**
     * Fails the merge when the MP4 is clearly shorter than its parts: media that FFmpeg dropped at a join
     * (the check a single stream's merge cannot make, having nothing to compare with).
     */
    static void verifyLength(List<Manifest.Part> parts, MediaInfo out) {
        double sum = parts.stream().map(Manifest.Part::durationSeconds).filter(Objects::nonNull)
                .mapToDouble(Double::doubleValue).sum();
        if (out.durationSeconds() != null && out.durationSeconds() < sum - SHORTFALL_SECONDS) {
            throw new MergeFailure(MergeError.FFMPEG_FAILED, String.format(Locale.ROOT,
                    "the output plays %.3f s where its %d parts add up to %.3f s", out.durationSeconds(), parts.size(), sum));
        }
    }

    /** True when every part has the same kinds of streams with the same codecs and parameters. */
    static boolean sameStreams(List<MediaInfo> infos) {
        MediaInfo first = infos.get(0);
        return infos.stream().allMatch(i -> same(first.firstVideo(), i.firstVideo()) && same(first.firstAudio(), i.firstAudio()));
    }

    private static boolean same(Optional<StreamInfo> a, Optional<StreamInfo> b) {
        if (a.isEmpty() || b.isEmpty()) {
            return a.isEmpty() && b.isEmpty();
        }
        StreamInfo x = a.get();
        StreamInfo y = b.get();
        return Objects.equals(x.codecName(), y.codecName()) && Objects.equals(x.width(), y.width())
                && Objects.equals(x.height(), y.height()) && Objects.equals(x.sampleRate(), y.sampleRate())
                && Objects.equals(x.channels(), y.channels());
    }

    /** The output's picture size (the first part with video; even, as yuv420p needs) and sound. */
    record Frame(int width, int height, int sampleRate, String layout) {

        static Frame of(List<MediaInfo> infos) {
            StreamInfo v = infos.stream().flatMap(i -> i.firstVideo().stream()).findFirst().orElse(null);
            StreamInfo a = infos.stream().flatMap(i -> i.firstAudio().stream()).findFirst().orElse(null);
            int w = v == null || v.width() == null ? 640 : v.width();
            int h = v == null || v.height() == null ? 360 : v.height();
            int rate = a == null || a.sampleRate() == null ? 48000 : a.sampleRate();
            String layout = a != null && a.channels() != null && a.channels() == 1 ? "mono" : "stereo";
            return new Frame(w + (w & 1), h + (h & 1), rate, layout);
        }

        String describe(boolean video) {
            return video ? width + "x" + height : "";
        }
    }

    /**
     * The concat filter over every part, each stream brought to the frame first. Every segment's timestamps
     * start at zero ({@code setpts}), so each part begins where the previous one ended.
     */
    static String graph(List<MediaInfo> infos, Frame f, boolean video, boolean audio) {
        StringBuilder g = new StringBuilder();
        StringBuilder segments = new StringBuilder();
        for (int i = 0; i < infos.size(); i++) {
            MediaInfo info = infos.get(i);
            String seconds = String.format(Locale.ROOT, "%.6f", info.durationSeconds() == null ? 0 : info.durationSeconds());
            if (video) {
                if (info.firstVideo().isPresent()) {
                    g.append(String.format(Locale.ROOT, "[%d:v:0]setpts=PTS-STARTPTS,scale=%d:%d:force_original_aspect_ratio=decrease,"
                            + "pad=%d:%d:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p[v%d];", i, f.width(), f.height(),
                            f.width(), f.height(), i));
                } else {
                    g.append(String.format(Locale.ROOT, "color=c=black:s=%dx%d:r=30:d=%s,format=yuv420p[v%d];",
                            f.width(), f.height(), seconds, i));
                }
                segments.append("[v").append(i).append(']');
            }
            if (audio) {
                if (info.firstAudio().isPresent()) {
                    g.append(String.format(Locale.ROOT, "[%d:a:0]asetpts=PTS-STARTPTS,aresample=%d,"
                            + "aformat=sample_fmts=fltp:channel_layouts=%s[a%d];", i, f.sampleRate(), f.layout(), i));
                } else {
                    g.append(String.format(Locale.ROOT, "anullsrc=r=%d:cl=%s,atrim=duration=%s,aformat=sample_fmts=fltp[a%d];",
                            f.sampleRate(), f.layout(), seconds, i));
                }
                segments.append("[a").append(i).append(']');
            }
        }
        g.append(segments).append("concat=n=").append(infos.size()).append(":v=").append(video ? 1 : 0)
                .append(":a=").append(audio ? 1 : 0);
        g.append(video ? "[v]" : "").append(audio ? "[a]" : "");
        return g.toString();
    }

    /** An ffconcat list of the part files, each with its (container) duration: the next part starts where it ends. */
    private static Path concatList(Path dir, List<PartFile> files, List<MediaInfo> infos) {
        return ConcatJoin.writeConcatList(dir.resolve("parts.txt"), files.stream().map(PartFile::file).toList(),
                infos.stream().map(MediaInfo::durationSeconds).toList());
    }

    private static String describe(List<MediaInfo> infos) {
        List<String> out = new ArrayList<>();
        for (MediaInfo i : infos) {
            out.add(i.firstVideo().map(v -> v.codecName() + " " + v.width() + "x" + v.height()).orElse("no video")
                    + "/" + i.firstAudio().map(a -> a.codecName() + " " + a.sampleRate() + "Hz " + a.channels() + "ch")
                    .orElse("no audio"));
        }
        return String.join(" | ", out);
    }
}
