package dev.recingest.app;

import dev.recingest.auth.TokenPolicy;
import dev.recingest.auth.Tokens;
import dev.recingest.config.Retention;
import dev.recingest.config.Settings;
import dev.recingest.embedded.EmbeddedRedis;
import dev.recingest.embedded.EmbeddedS3;
import dev.recingest.gateway.GatewayConfig;
import dev.recingest.gateway.GatewayServer;
import dev.recingest.merge.MergerConfig;
import dev.recingest.gateway.web.DemoTokens;
import dev.recingest.gateway.web.WebConfig;
import dev.recingest.webhook.WebhookConfig;
import dev.recingest.webhook.WebhookDelivery;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything on one machine: an embedded Redis and S3 server writing under the data folder
 * ({@code RECINGEST_DATA_DIR}, default {@code ./data}), a gateway and a merger, all on 127.0.0.1.
 * Authentication stays on: unless RECINGEST_JWT_SECRET and RECINGEST_ADMIN_TOKEN are set, a development
 * secret and admin token are made for this run.
 */
final class EmbeddedCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedCluster.class);
    private static final String ACCESS_KEY = "recingest-local";

    private final EmbeddedRedis redis;
    private final EmbeddedS3 s3Server;
    private final Processes.Backends backends;
    private final GatewayServer gateway;
    private final WebhookDelivery webhooks;
    private final AutoCloseable merger;
    private final Settings settings;
    private final Tokens tokens;

    private EmbeddedCluster(Settings base) {
        Path data = Path.of(base.get(LauncherSettings.DATA_DIR)).toAbsolutePath().normalize();
        String s3Secret = randomSecret();
        redis = EmbeddedRedis.start(data.resolve("redis"));
        s3Server = EmbeddedS3.start(data.resolve("s3"), ACCESS_KEY, s3Secret);
        settings = base.with(Map.of(
                "RECINGEST_REDIS_URI", redis.uri(),
                "RECINGEST_S3_ENDPOINT", s3Server.endpoint().toString(),
                "AWS_ACCESS_KEY_ID", ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY", s3Secret,
                GatewayConfig.JWT_SECRET.env(), base.find(GatewayConfig.JWT_SECRET).orElse(randomSecret()),
                GatewayConfig.ADMIN_TOKEN.env(), base.find(GatewayConfig.ADMIN_TOKEN).orElse(randomSecret()),
                MergerConfig.WORK_DIR.env(), base.find(MergerConfig.WORK_DIR).orElse(data.resolve("merge-work").toString())));
        backends = Processes.Backends.connect(settings, true);
        // Delivery first: a URL's consumer group starts at the events published after it was created.
        webhooks = WebhookDelivery.start(WebhookConfig.from(settings), backends.redis(), backends.registry());
        tokens = new Tokens(settings.get(GatewayConfig.JWT_SECRET), TokenPolicy.from(settings));
        // The demo page is on here (RECINGEST_DEMO=off turns it off), with development tokens for demo-* ids.
        WebConfig web = WebConfig.from(settings, true).withDemoTokens(
                seconds -> tokens.issueForPrefix("demo", DemoTokens.PREFIX, Duration.ofSeconds(seconds)));
        gateway = GatewayServer.start(GatewayConfig.from(settings), backends.store(), backends.s3(), backends.s3(),
                backends.registry(), backends.events(), Retention.from(settings), web);
        merger = MergerWiring.start(settings, backends);
        LOG.atInfo().addKeyValue("data", data).addKeyValue("redis", redis.uri()).addKeyValue("s3", s3Server.endpoint())
                .addKeyValue("gateway", ingestUri()).log("embedded cluster up");
    }

    static EmbeddedCluster start(Settings settings) {
        return new EmbeddedCluster(settings);
    }

    /** {@code all}: runs until SIGTERM / Ctrl-C, after printing how to reach it. */
    static int runForever(Settings settings) throws InterruptedException {
        EmbeddedCluster c = start(settings);
        if (Processes.logReady("all", settings)) {
            c.close();
            return 0;
        }
        System.out.println("recingest is running on embedded defaults");
        System.out.println("  ingest:      " + c.ingestUri());
        System.out.println("  HTTP:        " + c.httpBase() + "  (/healthz /readyz /metrics /v1/recordings)");
        if (c.settings.find(WebConfig.DEMO).orElse(true)) {
            System.out.println("  demo page:   " + c.httpBase() + "/demo/  (record from this browser)");
        }
        System.out.println("  recorder:    " + c.httpBase() + "/recorder/recorder.js  (the browser module)");
        System.out.println("  data:        " + c.s3Server.dataDir().getParent());
        System.out.println("  development recorder token (any recording id, 12 h):");
        System.out.println("    " + c.recorderToken(Duration.ofHours(12)));
        System.out.println("  development admin token:");
        System.out.println("    " + c.adminToken());
        System.out.println("Ctrl-C stops it.");
        Processes.awaitSigterm(c::close);
        return 0;
    }

    URI ingestUri() {
        return URI.create("ws://127.0.0.1:" + gateway.port() + "/v1/ingest");
    }

    URI httpBase() {
        return URI.create("http://127.0.0.1:" + gateway.port());
    }

    String adminToken() {
        return settings.get(GatewayConfig.ADMIN_TOKEN);
    }

    /** A token that covers every recording id. */
    String recorderToken(Duration validity) {
        return tokens.issueForPrefix("dev", "", validity);
    }

    /** A token for one recording only. */
    String recorderTokenFor(String recordingId, Duration validity) {
        return tokens.issueForRecording("dev", recordingId, validity);
    }

    Settings settings() {
        return settings;
    }

    Processes.Backends backends() {
        return backends;
    }

    GatewayServer gateway() {
        return gateway;
    }

    /** Where the filesystem-backed S3 server keeps an object, for printing a local path. */
    Path localPathOf(String key) {
        return s3Server.dataDir().resolve(backends.s3().bucket()).resolve(key);
    }

    private static String randomSecret() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    @Override
    public void close() {
        Processes.closeQuietly(merger);
        gateway.close();
        Processes.closeQuietly(webhooks);
        backends.close();
        s3Server.close();
        redis.close();
    }
}
