package dev.recingest.app;

import dev.recingest.client.ClientOptions;
import dev.recingest.client.agent.AgentOptions;
import dev.recingest.client.agent.JobsFile;
import dev.recingest.client.agent.LiveRecorder;
import dev.recingest.client.agent.LiveSource;
import dev.recingest.client.agent.RecorderAgent;
import dev.recingest.client.agent.RecordingJob;
import dev.recingest.config.Settings;
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
 * {@code record}: the recorder agent for live sources ({@code dev.recingest.client.agent}). One recording
 * from {@code --source} and {@code --recording-id}, or several from {@code --sources-file}. SIGTERM (or
 * Ctrl-C) finishes every recording: FFmpeg closes its segment, the spool is delivered, {@code stop} is
 * sent, and the process exits 0; 1 if a recording could not be stopped cleanly.
 */
final class RecordCommand {

    private static final Logger LOG = LoggerFactory.getLogger(RecordCommand.class);

    private RecordCommand() {
    }

    static int run(Settings settings, List<String> args) throws Exception {
        if (!args.isEmpty()) {
            System.err.println("usage: record --source=<rtsp://… | file.sdp | https://…/playlist.m3u8 | srt://… | FILE>"
                    + " --recording-id=ID [--gateway=ws://host:port/v1/ingest] (or --sources-file=FILE)");
            return 2;
        }
        String rtspTransport = settings.string("RECINGEST_RTSP_TRANSPORT", LiveSource.DEFAULT_RTSP_TRANSPORT);
        List<RecordingJob> jobs = jobs(settings, rtspTransport);
        FfmpegBinaries ffmpeg = FfmpegBinaries.locate(settings.string("RECINGEST_FFMPEG_DIR", null));
        AgentOptions options = agentOptions(settings, ffmpeg.ffmpeg());
        URI gateway = URI.create(settings.string("RECINGEST_GATEWAY", "ws://127.0.0.1:8080/v1/ingest"));
        ClientOptions client = ClientOptions.defaults(gateway, settings.string("RECINGEST_TOKEN", null))
                .withToken(settings.string("RECINGEST_TOKEN", null), false);
        PrometheusMeterRegistry registry = Metrics.newRegistry();
        int metricsPort = settings.integer("RECINGEST_AGENT_METRICS_PORT", 9092);
        MetricsHttpServer metrics = metricsPort < 0 ? null
                : new MetricsHttpServer(settings.string("RECINGEST_HOST", "127.0.0.1"), metricsPort, registry);
        RecorderAgent agent = new RecorderAgent(jobs, options, client, registry);
        for (String sig : List.of("TERM", "INT")) {
            Signal.handle(new Signal(sig), s -> {
                LOG.info("event=signal signal={} action=\"finish every recording\"", s.getName());
                agent.stopAll();
            });
        }
        LOG.info("event=agent-start recordings={} gateway={} spool={} metricsPort={}", jobs.size(), gateway,
                options.spoolRoot(), metrics == null ? "off" : metrics.port());
        List<LiveRecorder.Outcome> outcomes = agent.start().awaitAll();
        if (metrics != null) {
            metrics.close();
        }
        boolean clean = true;
        for (LiveRecorder.Outcome o : outcomes) {
            System.out.println("recording " + o.recordingId() + ": " + o.reason() + (o.stopped() != null
                    ? ", stopped: " + o.stopped().chunks() + " chunks, " + o.stopped().bytes() + " bytes, "
                    + o.parts() + " new parts, " + o.drops() + " source drops"
                    : ", NOT stopped: " + o.error()));
            clean &= o.stoppedCleanly();
        }
        return clean ? 0 : 1;
    }

    static List<RecordingJob> jobs(Settings settings, String rtspTransport) throws Exception {
        String file = settings.string("RECINGEST_SOURCES_FILE", null);
        String source = settings.string("RECINGEST_SOURCE", null);
        if ((file == null) == (source == null)) {
            throw new IllegalArgumentException("give either --source (with --recording-id) or --sources-file");
        }
        if (file != null) {
            return JobsFile.read(Path.of(file), rtspTransport);
        }
        String id = settings.string("RECINGEST_RECORDING_ID", null);
        if (id == null) {
            throw new IllegalArgumentException("--recording-id is required: it names the spool folder, and a restarted "
                    + "or backup agent continues the recording by it");
        }
        return List.of(new RecordingJob(id, LiveSource.parse(source, rtspTransport), null));
    }

    static AgentOptions agentOptions(Settings s, Path ffmpeg) {
        Duration max = s.duration("RECINGEST_MAX_DURATION", null);
        return new AgentOptions(ffmpeg, Path.of(s.string("RECINGEST_SPOOL_DIR", "spool")),
                s.bytes("RECINGEST_SPOOL_MAX_BYTES", AgentOptions.DEFAULT_SPOOL_MAX_BYTES),
                s.duration("RECINGEST_SEGMENT_TIME", AgentOptions.DEFAULT_SEGMENT_TIME),
                s.duration("RECINGEST_SOURCE_STALL_TIMEOUT", AgentOptions.DEFAULT_STALL_TIMEOUT),
                s.duration("RECINGEST_SOURCE_TIMEOUT", AgentOptions.DEFAULT_SOURCE_TIMEOUT), max,
                AgentOptions.DEFAULT_RECONNECT_BACKOFF, AgentOptions.DEFAULT_RECONNECT_MAX_BACKOFF,
                s.duration("RECINGEST_AGENT_STOP_TIMEOUT", AgentOptions.DEFAULT_STOP_TIMEOUT));
    }
}
