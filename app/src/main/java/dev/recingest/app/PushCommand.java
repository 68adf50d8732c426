package dev.recingest.app;

import dev.recingest.client.ClientOptions;
import dev.recingest.client.admin.AdminClient;
import dev.recingest.agent.push.PushRequest;
import dev.recingest.agent.push.PushResult;
import dev.recingest.agent.push.RecordingPusher;
import dev.recingest.config.Setting;
import dev.recingest.config.SettingGroup;
import dev.recingest.config.Settings;
import dev.recingest.gateway.GatewayConfig;
import dev.recingest.protocol.Mode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** {@code push FILE}: records a media file through a running gateway and waits for the MP4. */
final class PushCommand {

    static final String INGEST_PATH = "/v1/ingest";

    static final SettingGroup SETTINGS = new SettingGroup("push");
    static final Setting<String> GATEWAY = SETTINGS.string("RECINGEST_GATEWAY", "ws://127.0.0.1:8080" + INGEST_PATH,
            "`push`, `record`: the gateway's ingest URL; `host:port` and `ws://host:port` mean `ws://host:port/v1/ingest`");
    static final Setting<String> TOKEN = SETTINGS.secret("RECINGEST_TOKEN", 0,
            "`push`, `record`: the recorder token (from the `token` command)");
    static final Setting<String> MODE = SETTINGS.string("RECINGEST_MODE", "stream",
            "`push`: `stream` (byte ranges of the file) or `segments` (cut into MPEG-TS pieces)");
    static final Setting<String> RECORDING_ID = SETTINGS.add(Setting.string("RECINGEST_RECORDING_ID", null,
            "`push`: the recording id; `record`: required with RECINGEST_SOURCE (it names the spool folder, and a restarted or backup agent continues the recording by it)").defaultsTo("generated (`push`)"));
    static final Setting<Long> CHUNK_SIZE = SETTINGS.bytes("RECINGEST_CHUNK_SIZE", 256 << 10,
            "`push`, stream mode: bytes per chunk");
    static final Setting<Duration> SEGMENT_TIME = SETTINGS.duration("RECINGEST_SEGMENT_TIME", Duration.ofSeconds(2),
            "`push` (segments mode), `record`: length of one segment; cuts happen at keyframes");
    static final Setting<Duration> MERGE_TIMEOUT = SETTINGS.duration("RECINGEST_MERGE_TIMEOUT", Duration.ofMinutes(10),
            "`push`: how long to wait for the MP4 (only with RECINGEST_ADMIN_TOKEN set; without it `push` returns once the recording is stopped)");
    static final Setting<String> CONTENT_TYPE = SETTINGS.add(Setting.string("RECINGEST_CONTENT_TYPE", null,
            "`push`: the content type sent in `start`").defaultsTo("from the file name"));

    private PushCommand() {
    }

    static int run(Settings settings, List<String> args) throws Exception {
        Path file = Path.of(args.get(0));
        if (!Files.isRegularFile(file)) {
            System.err.println("error: no such file: " + file);
            return 2;
        }
        PushResult result = push(settings, ingestUri(settings.get(GATEWAY)), settings.get(TOKEN),
                settings.get(GatewayConfig.ADMIN_TOKEN), file);
        print(result);
        return result.completed() || (result.state() != null && result.state().equals("STOPPED")) ? 0 : 1;
    }

    /**
     * The ingest URL from what a user types: {@code host:port}, {@code ws://host:port} or a full URL. The
     * gateway answers WebSocket upgrades on {@value #INGEST_PATH} only, so a URL without a path gets it.
     */
    static URI ingestUri(String text) {
        String withScheme = text.contains("://") ? text : "ws://" + text;
        URI uri;
        try {
            uri = URI.create(withScheme);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(GATEWAY.env() + ": not a URL: '" + text + "'");
        }
        if (!("ws".equals(uri.getScheme()) || "wss".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException(GATEWAY.env() + ": expected host:port or ws[s]://host:port[/v1/ingest], got '"
                    + text + "'");
        }
        String path = uri.getRawPath();
        return path == null || path.isEmpty() || path.equals("/") ? URI.create(uri.getScheme() + "://"
                + uri.getRawAuthority() + INGEST_PATH) : uri;
    }

    static PushResult push(Settings settings, URI gateway, String token, String adminToken, Path file)
            throws Exception {
        Mode mode = Mode.fromWire(settings.get(MODE));
        PushRequest request = PushRequest.of(file, mode)
                .withRecordingId(settings.get(RECORDING_ID))
                .withChunkSize((int) (long) settings.get(CHUNK_SIZE))
                .withSegmentTime(settings.get(SEGMENT_TIME))
                .withMergeWait(adminToken != null, settings.get(MERGE_TIMEOUT));
        String contentType = settings.get(CONTENT_TYPE);
        if (contentType != null) {
            request = request.withContentType(contentType);
        }
        AdminClient admin = adminToken == null ? null : new AdminClient(httpBase(gateway), adminToken);
        return new RecordingPusher(ClientOptions.defaults(gateway, token), admin).push(request);
    }

    /** ws://host:port/v1/ingest becomes http://host:port (wss becomes https). */
    static URI httpBase(URI gateway) {
        String scheme = "wss".equals(gateway.getScheme()) ? "https" : "http";
        return URI.create(scheme + "://" + gateway.getRawAuthority());
    }

    static void print(PushResult r) {
        System.out.println("recording " + r.recordingId() + ": " + r.state() + ", " + r.chunks() + " chunks, "
                + r.bytes() + " bytes, in " + r.elapsed().toMillis() + " ms");
        if (r.output() != null) {
            System.out.println("  output: " + r.output().key() + " (" + r.output().size() + " bytes, "
                    + r.output().durationSeconds() + " s)");
        }
        if (r.error() != null) {
            System.out.println("  error: " + r.error().code() + ": " + r.error().message());
        }
    }
}
