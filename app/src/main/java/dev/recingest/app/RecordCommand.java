package dev.recingest.app;

import dev.recingest.client.ClientOptions;
import dev.recingest.agent.AgentOptions;
import dev.recingest.agent.JobsFile;
import dev.recingest.agent.LiveRecorder;
import dev.recingest.agent.LiveSource;
import dev.recingest.agent.RecorderAgent;
import dev.recingest.agent.RecordingJob;
import dev.recingest.config.Setting;
import dev.recingest.config.SettingGroup;
import dev.recingest.config.Settings;
import dev.recingest.gateway.GatewayConfig;
import dev.recingest.media.FfmpegBinaries;
import dev.recingest.observability.Metrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * {@code record}: the recorder agent for live sources ({@code dev.recingest.agent}). One recording
 * from {@code --source} and {@code --recording-id}, or several from {@code --sources-file}. SIGTERM (or
 * Ctrl-C) finishes every recording: FFmpeg closes its segment, the spool is delivered, {@code stop} is
 * sent, and the process exits 0; 1 if a recording could not be stopped cleanly.
 */
final class RecordCommand {

    static final SettingGroup SETTINGS = new SettingGroup("record");
    static final Setting<String> SOURCE = SETTINGS.string("RECINGEST_SOURCE", null,
            "`record`: what to record: an SDP file (RTP), `rtsp://…`, an `http(s)` `.m3u8` playlist, `srt://…`, another "
                    + "URL FFmpeg opens, or a file; with RECINGEST_RECORDING_ID");
    static final Setting<String> SOURCES_FILE = SETTINGS.string("RECINGEST_SOURCES_FILE", null,
            "`record`: instead of RECINGEST_SOURCE, a file of `<recording id> <source>` lines, one recording each");
    static final Setting<String> SPOOL_DIR = SETTINGS.string("RECINGEST_SPOOL_DIR", "spool",
            "`record`: the spool folder; each recording keeps its unacked segments in `<spool>/<recording id>/`");
    static final Setting<Long> SPOOL_MAX_BYTES = SETTINGS.bytes("RECINGEST_SPOOL_MAX_BYTES", AgentOptions.DEFAULT_SPOOL_MAX_BYTES,
            "`record`: per recording, unacked bytes in the spool past which it is stopped (the gateways unreachable for long)");
    static final Setting<Duration> STALL_TIMEOUT = SETTINGS.duration("RECINGEST_SOURCE_STALL_TIMEOUT",
            AgentOptions.DEFAULT_STALL_TIMEOUT, "`record`: a connection source (not RTP) whose output has not moved for this "
                    + "long is reconnected; also FFmpeg's read timeout for URL sources");
    static final Setting<Duration> SOURCE_TIMEOUT = SETTINGS.duration("RECINGEST_SOURCE_TIMEOUT",
            AgentOptions.DEFAULT_SOURCE_TIMEOUT, "`record`: a source that delivered nothing for this long (across "
                    + "reconnects) is given up and the recording stopped");
    static final Setting<Duration> MAX_DURATION = SETTINGS.add(Setting.duration("RECINGEST_MAX_DURATION", null,
            "`record`: stop after this much recorded media").defaultsTo("none"));
    static final Setting<String> RTSP_TRANSPORT = SETTINGS.string("RECINGEST_RTSP_TRANSPORT",
            LiveSource.DEFAULT_RTSP_TRANSPORT, "`record`: `tcp` (RTP inside the RTSP connection) or `udp`");
    static final Setting<Integer> METRICS_PORT = SETTINGS.integer("RECINGEST_AGENT_METRICS_PORT", 9092,
            "`record`: port of the agent's Prometheus `/metrics`, bound to RECINGEST_HOST; -1: none");
    static final Setting<Duration> STOP_TIMEOUT = SETTINGS.duration("RECINGEST_AGENT_STOP_TIMEOUT",
            AgentOptions.DEFAULT_STOP_TIMEOUT, "`record`: at the end, how long delivering the spool and `stop` may take");

    private static final Logger LOG = LoggerFactory.getLogger(RecordCommand.class);

    private RecordCommand() {
    }

    static int run(Settings settings, List<String> args) throws Exception {
        String rtspTransport = settings.get(RTSP_TRANSPORT);
        List<RecordingJob> jobs = jobs(settings, rtspTransport);
        FfmpegBinaries ffmpeg = FfmpegBinaries.locate();
        AgentOptions options = agentOptions(settings, ffmpeg.ffmpeg());
        URI gateway = PushCommand.ingestUri(settings.get(PushCommand.GATEWAY));
        String token = settings.get(PushCommand.TOKEN);
        ClientOptions client = ClientOptions.defaults(gateway, token).withToken(token, false);
        PrometheusMeterRegistry registry = Metrics.newRegistry();
        int metricsPort = settings.get(METRICS_PORT);
        MetricsHttpServer metrics = metricsPort < 0 ? null
                : new MetricsHttpServer(settings.get(GatewayConfig.HOST), metricsPort, registry);
        RecorderAgent agent = new RecorderAgent(jobs, options, client, registry);
        for (String sig : List.of("TERM", "INT")) {
            Signal.handle(new Signal(sig), s -> {
                LOG.atInfo().addKeyValue("signal", s.getName()).addKeyValue("action", "finish every recording")
                        .log("signal received");
                agent.stopAll();
            });
        }
        LOG.atInfo().addKeyValue("recordings", jobs.size()).addKeyValue("gateway", gateway)
                .addKeyValue("spool", options.spoolRoot()).addKeyValue("metricsPort", metrics == null ? "off" : metrics.port())
                .log("agent started");
        List<LiveRecorder.Outcome> outcomes = agent.start().awaitAll();
        if (metrics != null) {
            metrics.close();
        }
        boolean clean = true;
        for (LiveRecorder.Outcome o : outcomes) {
            System.out.println("recording " + o.recordingId() + ": " + o.reason() + (o.stopped() != null
                    ? ", stopped: " + o.stopped().chunks() + " chunks, " + o.stopped().bytes() + " bytes, "
                    + o.parts() + " new parts, " + o.drops() + " source drops" : ", NOT stopped")
                    + (o.error() == null ? "" : "; " + o.error()));
            clean &= o.stoppedCleanly();
        }
        return clean ? 0 : 1;
    }

    static List<RecordingJob> jobs(Settings settings, String rtspTransport) throws Exception {
        String file = settings.get(SOURCES_FILE);
        String source = settings.get(SOURCE);
        if ((file == null) == (source == null)) {
            throw new IllegalArgumentException("give either --source (with --recording-id) or --sources-file");
        }
        if (file != null) {
            return JobsFile.read(Path.of(file), rtspTransport);
        }
        String id = settings.get(PushCommand.RECORDING_ID);
        if (id == null) {
            throw new IllegalArgumentException("--recording-id is required: it names the spool folder, and a restarted "
                    + "or backup agent continues the recording by it");
        }
        return List.of(new RecordingJob(id, LiveSource.parse(source, rtspTransport), null));
    }

    static AgentOptions agentOptions(Settings s, Path ffmpeg) {
        return new AgentOptions(ffmpeg, Path.of(s.get(SPOOL_DIR)), s.get(SPOOL_MAX_BYTES), s.get(PushCommand.SEGMENT_TIME),
                s.get(STALL_TIMEOUT), s.get(SOURCE_TIMEOUT), s.get(MAX_DURATION), AgentOptions.DEFAULT_RECONNECT_BACKOFF,
                AgentOptions.DEFAULT_RECONNECT_MAX_BACKOFF, s.get(STOP_TIMEOUT));
    }
}
