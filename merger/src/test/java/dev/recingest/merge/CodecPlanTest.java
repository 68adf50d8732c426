package dev.recingest.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.merge.MediaInfo.StreamInfo;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CodecPlanTest {

    private static final FfmpegCapabilities FULL = new FfmpegCapabilities(Set.of("libx264", "mpeg4", "aac"), true);
    private static final FfmpegCapabilities NO_X264 = new FfmpegCapabilities(Set.of("mpeg4", "aac"), false);

    private static MediaInfo media(String video, String audio) {
        List<StreamInfo> streams = new java.util.ArrayList<>();
        if (video != null) {
            streams.add(new StreamInfo(streams.size(), "video", video, 320, 240, null, null, null));
        }
        if (audio != null) {
            streams.add(new StreamInfo(streams.size(), "audio", audio, null, null, 48000, 2, null));
        }
        return new MediaInfo("matroska,webm", null, streams);
    }

    @Test
    void vp8IsTranscodedAndOpusCopied() {
        CodecPlan plan = CodecPlan.choose(media("vp8", "opus"), FULL);
        assertEquals("libx264", plan.video());
        assertEquals("copy", plan.audio());
        assertTrue(contains(plan.outputArguments(), "-c:v", "libx264", "-preset", "veryfast"));
        assertTrue(contains(plan.outputArguments(), "-fps_mode", "vfr"));
        assertTrue(contains(plan.outputArguments(), "-movflags", "+faststart"));
        assertEquals("video vp8->libx264, audio opus->copy", plan.describe(media("vp8", "opus")));
    }

    @Test
    void mp4CodecsAreCopied() {
        for (String v : List.of("h264", "hevc", "vp9", "av1")) {
            for (String a : List.of("aac", "opus", "mp3")) {
                CodecPlan plan = CodecPlan.choose(media(v, a), FULL);
                assertEquals("copy", plan.video(), v);
                assertEquals("copy", plan.audio(), a);
            }
        }
        assertTrue(contains(CodecPlan.choose(media("hevc", null), FULL).outputArguments(), "-tag:v", "hvc1"));
    }

    @Test
    void withoutLibx264TheFallbackIsMpeg4AndVsync() {
        CodecPlan plan = CodecPlan.choose(media("vp8", "vorbis"), NO_X264);
        assertEquals("mpeg4", plan.video());
        assertEquals("aac", plan.audio());
        assertTrue(contains(plan.outputArguments(), "-vsync", "vfr"));
    }

    @Test
    void audioOnlyAndVideoOnlyWork() {
        CodecPlan audioOnly = CodecPlan.choose(media(null, "pcm_s16le"), FULL);
        assertNull(audioOnly.video());
        assertEquals("aac", audioOnly.audio());
        CodecPlan videoOnly = CodecPlan.choose(media("h264", null), FULL);
        assertEquals("copy", videoOnly.video());
        assertNull(videoOnly.audio());
    }

    @Test
    void noMediaStreamIsUnsupported() {
        MergeFailure f = assertThrows(MergeFailure.class, () -> CodecPlan.choose(media(null, null), FULL));
        assertEquals(MergeError.UNSUPPORTED_MEDIA, f.error());
    }

    private static boolean contains(List<String> args, String... seq) {
        return Collections.indexOfSubList(args, List.of(seq)) >= 0;
    }
}
