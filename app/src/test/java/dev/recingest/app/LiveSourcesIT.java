package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.recingest.client.ClientOptions;
import dev.recingest.agent.AgentOptions;
import dev.recingest.agent.LiveRecorder;
import dev.recingest.agent.LiveSource;
import dev.recingest.agent.LiveTestMedia;
import dev.recingest.agent.RecordingJob;
import dev.recingest.gateway.GatewayServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recorder agent on each kind of live source, through a real gateway, Redis, S3 server and merger:
 * RTP from an SDP (H.264 + Opus, as a mediasoup PlainTransport sends), a live HLS playlist growing on a
 * local HTTP server, an RTSP server. Each ends with the merged MP4 checked by ffprobe: duration, and a
 * video and an audio stream.
 */
class LiveSourcesIT {

    @TempDir
    static Path dir;
    static FailureCluster cluster;
    static GatewayServer gateway;
    static URI ingest;

    @BeforeAll
    static void up() {
        cluster = new FailureCluster(dir);
        gateway = cluster.startInProcessGateway(Map.of());
        ingest = FailureCluster.ingestUri(gateway.port());
    }

    @AfterAll
    static void down() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static LiveRecorder recorder(String id, LiveSource source, AgentOptions options) {
        return recorderFor(cluster, ingest, id, source, options);
    }

    /** An in-process agent for one recording, with the cluster's recorder token in the upgrade's header. */
    static LiveRecorder recorderFor(FailureCluster cluster, URI ingest, String id, LiveSource source, AgentOptions options) {
        return new LiveRecorder(new RecordingJob(id, source, null), options,
                ClientOptions.defaults(ingest, cluster.recorderToken()).withToken(cluster.recorderToken(), false),
                new SimpleMeterRegistry());
    }

    static AgentOptions options(String spool) {
        return agentOptions(dir.resolve(spool));
    }

    static AgentOptions agentOptions(Path spool) {
        return AgentOptions.defaults(LiveTestMedia.ffmpeg(), spool);
    }

    static CompletableFuture<LiveRecorder.Outcome> runAsync(LiveRecorder r) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return r.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static double completedMp4(String id) throws Exception {
        return cluster.completedMp4Duration(cluster.admin(FailureCluster.httpBase(gateway.port())), id);
    }

    @Test
    void rtpFromAnSdpLikeAMediasoupPlainTransportIsRecordedFor30Seconds() throws Exception {
        String id = "failure-tests-rtp-h264";
        try (LiveTestMedia.RtpSender rtp = LiveTestMedia.RtpSender.prepare(dir, LiveTestMedia.Video.H264)) {
            LiveRecorder r = recorder(id, LiveSource.parse(rtp.sdp.toString(), "tcp"),
                    options("spool-rtp").withMaxDuration(Duration.ofSeconds(30)));
            CompletableFuture<LiveRecorder.Outcome> running = runAsync(r);
            Thread.sleep(1000);
            rtp.send(40);
            LiveRecorder.Outcome out = running.get(3, TimeUnit.MINUTES);
            assertEquals(LiveRecorder.Reason.MAX_DURATION, out.reason(), out.toString());
            assertNotNull(out.stopped(), out.error());
            double seconds = completedMp4(id);
            System.out.printf("agent RTP (H.264 + Opus, 2 s segments): %d segments, %d chunks, %d bytes; MP4 %.3f s%n",
                    out.segments(), out.stopped().chunks(), out.stopped().bytes(), seconds);
            assertEquals(30.0, seconds, 0.5, "MP4 duration");
        }
    }

    @Test
    void aLiveHlsPlaylistIsRecordedUntilItEnds() throws Exception {
        String id = "failure-tests-hls";
        int sourceSeconds = 14;
        try (LiveSourceServers.LiveHls hls = LiveSourceServers.LiveHls.start(dir, sourceSeconds)) {
            hls.awaitFirstSegment(dir);
            LiveRecorder.Outcome out = runAsync(recorder(id, LiveSource.parse(hls.playlist.toString(), "tcp"),
                    options("spool-hls"))).get(3, TimeUnit.MINUTES);
            assertEquals(LiveRecorder.Reason.SOURCE_ENDED, out.reason(), out.toString());
            assertNotNull(out.stopped(), out.error());
            double seconds = completedMp4(id);
            System.out.printf("agent HLS (live playlist of %d s, 2 s segments): %d segments, %d chunks; MP4 %.3f s%n",
                    sourceSeconds, out.segments(), out.stopped().chunks(), seconds);
            assertEquals(sourceSeconds, seconds, 0.5, "the MP4 holds the whole stream, from its first listed segment");
        }
    }

    @Test
    void anRtspServerIsRecorded() throws Exception {
        Assumptions.assumeTrue(LiveSourceServers.RtspServer.binary().isPresent(), "no rtsp-server-perl ("
                + LiveSourceServers.RtspServer.BINARY + "): skipping the RTSP test (CI installs Debian's rtsp-server-perl)");
        String id = "failure-tests-rtsp";
        try (LiveSourceServers.RtspServer server = LiveSourceServers.RtspServer.start(dir)) {
            server.publish("cam", 30, dir.resolve("rtsp-publisher.log"));
            Thread.sleep(1500);
            LiveRecorder.Outcome out = runAsync(recorder(id, LiveSource.parse(server.playUri("cam").toString(), "udp"),
                    options("spool-rtsp").withMaxDuration(Duration.ofSeconds(10)))).get(3, TimeUnit.MINUTES);
            assertEquals(LiveRecorder.Reason.MAX_DURATION, out.reason(), out.toString());
            assertNotNull(out.stopped(), out.error());
            double seconds = completedMp4(id);
            System.out.printf("agent RTSP (rtsp-server-perl, UDP): %d segments, %d chunks; MP4 %.3f s%n",
                    out.segments(), out.stopped().chunks(), seconds);
            assertEquals(10.0, seconds, 0.5, "MP4 duration");
        }
    }
}
