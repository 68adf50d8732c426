package dev.recingest.app;

import dev.recingest.client.ClientOptions;
import dev.recingest.client.admin.AdminClient;
import dev.recingest.client.push.PushRequest;
import dev.recingest.client.push.PushResult;
import dev.recingest.client.push.RecordingPusher;
import dev.recingest.config.Settings;
import dev.recingest.protocol.Mode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code push FILE}: records a media file through a running gateway and waits for the MP4.
 * Settings: RECINGEST_GATEWAY (ws://127.0.0.1:8080/v1/ingest), RECINGEST_TOKEN (recorder token),
 * RECINGEST_ADMIN_TOKEN (to follow the merge; without it the command returns after {@code stopped}),
 * RECINGEST_MODE (stream | segments), RECINGEST_RECORDING_ID, RECINGEST_CHUNK_SIZE, RECINGEST_SEGMENT_TIME.
 */
final class PushCommand {

    private PushCommand() {
    }

    static int run(Settings settings, List<String> args) throws Exception {
        if (args.size() != 1) {
            System.err.println("usage: push FILE [--mode=stream|segments] [--gateway=ws://host:port/v1/ingest]"
                    + " [--token=...] [--admin-token=...] [--recording-id=...]");
            return 2;
        }
        Path file = Path.of(args.get(0));
        if (!Files.isRegularFile(file)) {
            System.err.println("error: no such file: " + file);
            return 2;
        }
        URI gateway = URI.create(settings.string("RECINGEST_GATEWAY", "ws://127.0.0.1:8080/v1/ingest"));
        PushResult result = push(settings, gateway, settings.string("RECINGEST_TOKEN", null),
                settings.string("RECINGEST_ADMIN_TOKEN", null), file);
        print(result);
        return result.completed() || (result.state() != null && result.state().equals("STOPPED")) ? 0 : 1;
    }

    static PushResult push(Settings settings, URI gateway, String token, String adminToken, Path file)
            throws Exception {
        Mode mode = Mode.fromWire(settings.string("RECINGEST_MODE", "stream"));
        PushRequest request = PushRequest.of(file, mode)
                .withRecordingId(settings.string("RECINGEST_RECORDING_ID", null))
                .withChunkSize((int) settings.bytes("RECINGEST_CHUNK_SIZE", 256 << 10))
                .withSegmentTime(settings.duration("RECINGEST_SEGMENT_TIME", Duration.ofSeconds(2)))
                .withMergeWait(adminToken != null, settings.duration("RECINGEST_MERGE_TIMEOUT", Duration.ofMinutes(10)));
        String contentType = settings.string("RECINGEST_CONTENT_TYPE", null);
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
