package dev.recingest.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's small pieces: reading sources, codecs and plans, the spool's files, the sources file. */
class AgentPiecesTest {

    @TempDir
    Path dir;

    @Test
    void sourcesAreClassifiedBySchemeOrFile() throws Exception {
        Path sdp = Files.writeString(dir.resolve("room.sdp"), "v=0\n");
        Path ts = Files.writeString(dir.resolve("talk.ts"), "x");
        assertEquals(LiveSource.Kind.RTSP, LiveSource.parse("rtsp://cam/stream1", "tcp").kind());
        assertEquals(LiveSource.Kind.HLS, LiveSource.parse("https://cdn/x/index.m3u8?token=1", "tcp").kind());
        assertEquals(LiveSource.Kind.URL, LiveSource.parse("http://host/live.ts", "tcp").kind());
        assertEquals(LiveSource.Kind.SRT, LiveSource.parse("srt://enc:9000?mode=caller", "tcp").kind());
        assertEquals(LiveSource.Kind.RTP_SDP, LiveSource.parse(sdp.toString(), "tcp").kind());
        assertEquals(LiveSource.Kind.FILE, LiveSource.parse(ts.toString(), "tcp").kind());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LiveSource.parse(dir.resolve("missing.sdp").toString(), "tcp"));
        assertTrue(e.getMessage().contains("neither a URL nor an existing file"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LiveSource.parse("rtsp://cam/x", "quic"));
    }

    @Test
    void inputOptionsPerKind() throws Exception {
        Path sdp = Files.writeString(dir.resolve("room.sdp"), "v=0\n");
        assertEquals(List.of("-protocol_whitelist", "file,udp,rtp", "-i", sdp.toString()),
                LiveSource.parse(sdp.toString(), "tcp").inputArguments(true, Duration.ofSeconds(10)));
        assertEquals(List.of("-rtsp_transport", "udp", "-i", "rtsp://cam/1"),
                LiveSource.parse("rtsp://cam/1", "udp").inputArguments(true, Duration.ofSeconds(10)));
        assertEquals(List.of("-live_start_index", "0", "-rw_timeout", "10000000", "-i", "http://h/a.m3u8"),
                LiveSource.parse("http://h/a.m3u8", "tcp").inputArguments(true, Duration.ofSeconds(10)));
        assertEquals("-1", LiveSource.parse("http://h/a.m3u8", "tcp").inputArguments(false, Duration.ofSeconds(10)).get(1),
                "after a drop, HLS resumes at the newest segment");
    }

    @Test
    void passwordsInSourceUrlsStayOutOfLogs() {
        assertEquals("rtsp://***@cam.local/stream1", LiveSource.parse("rtsp://admin:s3cret@cam.local/stream1", "tcp").redacted());
        assertFalse(LiveSource.parse("rtsp://admin:s3cret@cam.local/stream1", "tcp").toString().contains("s3cret"));
        assertEquals("rtsp://cam.local/a@b", LiveSource.parse("rtsp://cam.local/a@b", "tcp").redacted());
        // FFmpeg's command line and its messages (logged at debug, and its last line when a source drops) name the URL.
        assertEquals("ffmpeg -rtsp_transport tcp -i rtsp://***@cam.local/stream1 -f segment",
                LiveSource.redact("ffmpeg -rtsp_transport tcp -i rtsp://admin:s3cret@cam.local/stream1 -f segment"));
        assertEquals("[rtsp @ 0x5] method DESCRIBE failed: 401 Unauthorized (rtsp://***@cam:554/x)",
                LiveSource.redact("[rtsp @ 0x5] method DESCRIBE failed: 401 Unauthorized (rtsp://u:p@cam:554/x)"));
    }

    @Test
    void codecsFromAnSdpAndFromFfmpegsLogOfBothVersions() {
        String sdp = "v=0\r\nm=audio 5004 RTP/AVPF 100\r\na=rtpmap:100 opus/48000/2\r\nm=video 5006 RTP/AVPF 101 102\r\n"
                + "a=rtpmap:101 VP8/90000\r\na=rtpmap:102 rtx/90000\r\n";
        assertEquals(new InputStreams("vp8", "opus"), InputStreams.fromSdpText(sdp));

        InputStreams.LogReader r = new InputStreams.LogReader();
        // FFmpeg 4.4 (HLS input), then the output section that ends the input's.
        for (String line : List.of("Input #0, hls, from 'http://127.0.0.1/live.m3u8':",
                "    Stream #0:0: Video: h264 (High) ([27][0][0][0] / 0x001B), yuv420p, 320x240, 25 fps",
                "    Stream #0:1(und): Audio: pcm_alaw, 8000 Hz, mono, s16, 64 kb/s",
                "    Stream #0:2: Data: timed_id3 (ID3  / 0x20334449)")) {
            assertFalse(r.accept(line));
        }
        assertTrue(r.accept("Output #0, segment, to 'seg-%06d.ts':"));
        assertEquals(new InputStreams("h264", "pcm_alaw"), r.streams());

        InputStreams.LogReader r5 = new InputStreams.LogReader();
        r5.accept("Input #0, rtsp, from 'rtsp://cam/1':");
        r5.accept("  Stream #0:0[0x100]: Video: hevc (Main), yuv420p(tv), 1920x1080, 25 fps");
        assertTrue(r5.accept("Stream mapping:"));
        assertEquals(new InputStreams("hevc", null), r5.streams());
    }

    @Test
    void plansCopyWhereTheContainerFitsAndEncodeOnlyWhatNothingHolds() {
        assertEquals(new SegmentPlan(SegmentPlan.Container.TS, false, false), SegmentPlan.forCodecs(new InputStreams("h264", "opus")));
        assertEquals(new SegmentPlan(SegmentPlan.Container.TS, false, false), SegmentPlan.forCodecs(new InputStreams("hevc", "aac")));
        assertEquals(new SegmentPlan(SegmentPlan.Container.TS, false, true), SegmentPlan.forCodecs(new InputStreams("h264", "pcm_alaw")));
        assertEquals(new SegmentPlan(SegmentPlan.Container.WEBM, false, false), SegmentPlan.forCodecs(new InputStreams("vp8", "opus")));
        assertEquals(new SegmentPlan(SegmentPlan.Container.WEBM, false, true), SegmentPlan.forCodecs(new InputStreams("vp9", "aac")));
        assertEquals(new SegmentPlan(SegmentPlan.Container.TS, true, false), SegmentPlan.forCodecs(new InputStreams("mjpeg", null)));
        SegmentPlan p = new SegmentPlan(SegmentPlan.Container.WEBM, false, true);
        assertEquals(p, SegmentPlan.decode(p.encode()));
        assertEquals(List.of("-sn", "-dn", "-c:v", "copy", "-c:a", "libopus", "-b:a", "64k"), p.codecArguments());
    }

    @Test
    void theSpoolNumbersSegmentsDurablyAndRemembersPartStarts() throws Exception {
        Spool spool = Spool.open(dir, "rec-1", 1 << 20);
        Path run = spool.newRunDir();
        Path seg = Files.write(run.resolve("seg-000000.ts"), new byte[1000]);
        spool.markPartStart(7);
        Spool.Segment s = spool.adopt(seg, 7, "ts");
        assertEquals(dir.resolve("rec-1").resolve("seq-0000000007.ts"), s.file());
        assertFalse(Files.exists(seg));
        assertEquals(1000, spool.bytes());
        assertEquals(7, spool.maxSeq());
        assertTrue(spool.isPartStart(7));

        Spool reopened = Spool.open(dir, "rec-1", 1 << 20);
        assertEquals(List.of(s), reopened.pending());
        assertEquals(1000, reopened.bytes(), "a restarted agent counts what is spooled");
        reopened.clearPartStartsBelow(8);
        assertFalse(reopened.isPartStart(7), "the gateway's nextSeq passed it: established");
        reopened.delete(s);
        assertEquals(0, reopened.bytes());
        reopened.deleteRunDir(run);
        reopened.deleteIfDone();
        assertFalse(Files.exists(dir.resolve("rec-1")));
    }

    @Test
    void theSpoolLimitIsOnUnackedBytes() throws Exception {
        Spool spool = Spool.open(dir, "rec-2", 1500);
        Path run = spool.newRunDir();
        spool.adopt(Files.write(run.resolve("seg-000000.ts"), new byte[1000]), 0, "ts");
        assertFalse(spool.overLimit());
        spool.adopt(Files.write(run.resolve("seg-000001.ts"), new byte[1000]), 1, "ts");
        assertTrue(spool.overLimit());
    }

    @Test
    void salvageKeepsListedSegmentsAndCutsAnUnfinishedTsToWholePackets() throws Exception {
        Path run = Files.createDirectories(dir.resolve("run"));
        Files.write(run.resolve("seg-000000.ts"), new byte[188 * 3]);
        Files.write(run.resolve("seg-000001.ts"), new byte[188 * 2 + 50]);
        Files.writeString(run.resolve("list.csv"), "seg-000000.ts,0.000000,2.000000\n");
        assertEquals(List.of(run.resolve("seg-000000.ts"), run.resolve("seg-000001.ts")), FfmpegRun.salvage(run, "ts"));
        assertEquals(188 * 2, Files.size(run.resolve("seg-000001.ts")));
        Path webm = Files.createDirectories(dir.resolve("webm"));
        Files.write(webm.resolve("seg-000000.webm"), new byte[500]);
        assertEquals(List.of(), FfmpegRun.salvage(webm, "webm"), "an unfinished WebM is unreadable: dropped");
    }

    @Test
    void aSourcesFileNamesOneRecordingPerLine() throws Exception {
        Path sdp = Files.writeString(dir.resolve("room.sdp"), "v=0\n");
        Path file = Files.writeString(dir.resolve("sources.txt"), "# room 42\n\nroom-42-mix  " + sdp + "\nlobby rtsp://cam/1\n");
        List<RecordingJob> jobs = JobsFile.read(file, "tcp");
        assertEquals(List.of("room-42-mix", "lobby"), jobs.stream().map(RecordingJob::recordingId).toList());
        Path bad = Files.writeString(dir.resolve("bad.txt"), "../escape rtsp://cam/1\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JobsFile.read(bad, "tcp"));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    }
}
