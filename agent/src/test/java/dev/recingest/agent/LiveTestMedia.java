package dev.recingest.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.media.FfmpegBinaries;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Live sources for the agent's tests, made by the real FFmpeg on loopback: RTP with an SDP as a
 * mediasoup {@code PlainTransport} sends it, and test files; plus what ffprobe says about a result.
 * Public so that the launcher's integration tests use the same sources.
 */
public final class LiveTestMedia {

    public enum Video { H264, VP8 }

    private LiveTestMedia() {
    }

    public static Path ffmpeg() {
        return FfmpegBinaries.locate().ffmpeg();
    }

    /** {@code seconds} of testsrc2 + sine as H.264 (a keyframe every second) and AAC in MPEG-TS. */
    public static Path tsFile(Path dir, int seconds) {
        Path out = dir.resolve("source-" + seconds + "s.ts");
        run(ffmpeg().toString(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                "-t", Integer.toString(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", "25",
                "-c:a", "aac", "-b:a", "64k", "-f", "mpegts", out.toString());
        return out;
    }

    /** An RTP stream of video + Opus on loopback, sent by FFmpeg in real time, described by an SDP file. */
    public static final class RtpSender implements AutoCloseable {
        public final Path sdp;
        public final int audioPort;
        public final int videoPort;
        private final Video video;
        private String size = "320x240";
        private Process process;

        private RtpSender(Path sdp, Video video, int audioPort, int videoPort) {
            this.sdp = sdp;
            this.video = video;
            this.audioPort = audioPort;
            this.videoPort = videoPort;
        }

        /**
         * Picks free ports and writes the SDP the recorder reads: what a mediasoup app writes from a
         * consumer's {@code rtpParameters} (payload types 100 for Opus, 101 for video, RTCP on port + 1).
         */
        public static RtpSender prepare(Path dir, Video video) throws IOException {
            int audio = freeUdpPair();
            int videoPort = freeUdpPair();
            while (videoPort == audio) {
                videoPort = freeUdpPair();
            }
            String videoMap = video == Video.H264
                    ? "a=rtpmap:101 H264/90000\na=fmtp:101 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\n"
                    : "a=rtpmap:101 VP8/90000\n";
            String sdp = "v=0\no=- 0 0 IN IP4 127.0.0.1\ns=recingest-test\nc=IN IP4 127.0.0.1\nt=0 0\n"
                    + "m=audio " + audio + " RTP/AVPF 100\na=rtcp:" + (audio + 1) + "\na=rtpmap:100 opus/48000/2\n"
                    + "a=fmtp:100 minptime=10;useinbandfec=1\n"
                    + "m=video " + videoPort + " RTP/AVPF 101\na=rtcp:" + (videoPort + 1) + "\n" + videoMap;
            Path file = dir.resolve("stream-" + video.name().toLowerCase() + "-" + audio + ".sdp");
            Files.writeString(file, sdp);
            return new RtpSender(file, video, audio, videoPort);
        }

        /** The picture size sent (320x240 unless changed). */
        public RtpSender size(String widthXHeight) {
            size = widthXHeight;
            return this;
        }

        /** Starts sending {@code seconds} of media in real time. */
        public RtpSender send(int seconds) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(ffmpeg().toString(), "-nostdin", "-hide_banner", "-loglevel", "error",
                    "-re", "-t", Integer.toString(seconds), "-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=25",
                    "-re", "-t", Integer.toString(seconds), "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                    "-map", "1:a", "-c:a", "libopus", "-b:a", "48k", "-payload_type", "100", "-ssrc", "11111111",
                    "-f", "rtp", "rtp://127.0.0.1:" + audioPort + "?rtcpport=" + (audioPort + 1),
                    "-map", "0:v"));
            if (video == Video.H264) {
                cmd.addAll(List.of("-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-profile:v",
                        "baseline", "-g", "25", "-b:v", "1M"));
            } else {
                cmd.addAll(List.of("-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "16", "-b:v", "200k", "-g", "25"));
            }
            cmd.addAll(List.of("-payload_type", "101", "-ssrc", "22222222",
                    "-f", "rtp", "rtp://127.0.0.1:" + videoPort + "?rtcpport=" + (videoPort + 1)));
            process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return this;
        }

        public void awaitEnd(int seconds) throws InterruptedException {
            if (process != null && !process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }

        /** Stops sending at once, as a producer that went away. */
        public void stop() throws InterruptedException {
            if (process != null) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }

    /** An even UDP port whose successor is free too (RTP and its RTCP). */
    public static int freeUdpPair() throws IOException {
        for (int i = 0; i < 50; i++) {
            int p;
            try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                p = probe.getLocalPort() & ~1;
            }
            try (DatagramSocket a = new DatagramSocket(p, InetAddress.getLoopbackAddress());
                 DatagramSocket b = new DatagramSocket(p + 1, InetAddress.getLoopbackAddress())) {
                return p;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free UDP port pair on loopback");
    }

    /** ffprobe's format and streams (from ffprobe, or libavformat in the JVM where there is none). */
    public static JsonNode probe(Path file) {
        try {
            return FfmpegBinaries.locate().prober().probe(file, java.time.Duration.ofMinutes(1));
        } catch (Exception e) {
            throw new AssertionError("cannot probe " + file + ": " + e.getMessage(), e);
        }
    }

    public static double duration(Path file) {
        return probe(file).path("format").path("duration").asDouble();
    }

    /** "video:h264", "audio:opus"... in stream order. */
    public static List<String> streams(Path file) {
        List<String> out = new ArrayList<>();
        probe(file).path("streams").forEach(s -> out.add(s.path("codec_type").asText() + ":" + s.path("codec_name").asText()));
        return out;
    }

    public static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(3, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new AssertionError(command[0] + " failed: " + new String(out, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
