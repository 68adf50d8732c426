package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.config.Setting;
import dev.recingest.gateway.GatewayConfig;
import dev.recingest.webhook.WebhookConfig;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command line: what it accepts, what it refuses (one line, exit code 2), and what --help lists. */
class CliTest {

    private static Cli.Run run(Map<String, String> env, String... args) {
        return assertInstanceOf(Cli.Run.class, Cli.parse(args, env), () -> String.join(" ", args));
    }

    private static Cli.Exit refused(String... args) {
        Cli.Exit exit = assertInstanceOf(Cli.Exit.class, Cli.parse(args, Map.of()), () -> String.join(" ", args));
        assertEquals(2, exit.code(), exit.text());
        assertTrue(exit.text().startsWith("error: "), exit.text());
        assertEquals(1, exit.text().strip().lines().count(), "one line: " + exit.text());
        return exit;
    }

    @Test
    void aFlagTakesItsValueAfterASpaceOrAnEqualsSignAndOverridesTheEnvironment() {
        Map<String, String> env = Map.of("RECINGEST_PORT", "7000", "RECINGEST_IDLE_TIMEOUT", "90s");
        Cli.Run spaced = run(env, "gateway", "--port", "9000");
        Cli.Run joined = run(env, "gateway", "--port=9000", "--max-chunk-bytes", "1MiB");
        assertEquals(9000, spaced.settings().get(GatewayConfig.PORT));
        assertEquals(9000, joined.settings().get(GatewayConfig.PORT));
        assertEquals(1L << 20, joined.settings().get(GatewayConfig.MAX_CHUNK_BYTES));
        assertEquals(java.time.Duration.ofSeconds(90), spaced.settings().get(GatewayConfig.IDLE_TIMEOUT));
        assertEquals(7000, run(env, "gateway").settings().get(GatewayConfig.PORT));
    }

    @Test
    void mistakesAreRefusedWithOneLineAndExitCode2() {
        assertTrue(refused("gateway", "--nope").text().contains("--nope"));
        assertTrue(refused("gateway", "--port").text().contains("--port"));
        assertTrue(refused("gateway", "--port", "abc").text().contains("not a number"));
        assertTrue(refused("gateway", "--port=1", "--port=2").text().contains("only once"));
        assertTrue(refused("gateway", "9000").text().contains("'9000'"));
        assertTrue(refused("gateway", "--idle-timeout=5 minutes").text().contains("duration"));
        assertTrue(refused("push").text().contains("FILE"));
        assertTrue(refused("push", "a.webm", "b.webm").text().contains("b.webm"));
        assertTrue(refused("frob").text().contains("unknown command 'frob'"));
        // A merger flag on the gateway is a mistake too, not something to ignore.
        assertTrue(refused("gateway", "--merge-workers=4").text().contains("--merge-workers"));
        Cli.Exit none = assertInstanceOf(Cli.Exit.class, Cli.parse(new String[0], Map.of()));
        assertEquals(2, none.code());
    }

    @Test
    void aSecretGivenAsAFlagIsRefusedAndNamesItsVariable() {
        String text = refused("gateway", "--jwt-secret=0123456789abcdef0123456789abcdef").text();
        assertTrue(text.contains("RECINGEST_JWT_SECRET"), text);
        assertFalse(text.contains("0123456789abcdef"), "the secret is not echoed: " + text);
        assertTrue(refused("push", "f.webm", "--admin-token", "x".repeat(20)).text().contains("RECINGEST_ADMIN_TOKEN"));
    }

    @Test
    void placeholderOrShortSecretsStopTheProcessWithAClearError() {
        Cli.Run placeholder = run(Map.of("RECINGEST_JWT_SECRET", "CHANGE_ME_at_least_32_characters_long_random_string"),
                "gateway");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GatewayConfig.from(placeholder.settings()));
        assertTrue(e.getMessage().contains("RECINGEST_JWT_SECRET") && e.getMessage().contains("CHANGE_ME"), e.getMessage());
        assertFalse(e.getMessage().contains("at_least_32"), "the value is not echoed: " + e.getMessage());

        Map<String, String> admin = Map.of("RECINGEST_JWT_SECRET", "0123456789abcdef0123456789abcdef",
                "RECINGEST_ADMIN_TOKEN", "CHANGE_ME_admin_token");
        e = assertThrows(IllegalArgumentException.class, () -> GatewayConfig.from(run(admin, "gateway").settings()));
        assertTrue(e.getMessage().startsWith("RECINGEST_ADMIN_TOKEN"), e.getMessage());

        Map<String, String> shortAdmin = Map.of("RECINGEST_JWT_SECRET", "0123456789abcdef0123456789abcdef",
                "RECINGEST_ADMIN_TOKEN", "tooshort");
        e = assertThrows(IllegalArgumentException.class, () -> GatewayConfig.from(run(shortAdmin, "gateway").settings()));
        assertTrue(e.getMessage().contains("at least 16"), e.getMessage());

        Map<String, String> webhook = Map.of("RECINGEST_WEBHOOK_URLS", "http://127.0.0.1:1/x",
                "RECINGEST_WEBHOOK_SECRET", "change_me_webhook_secret");
        e = assertThrows(IllegalArgumentException.class, () -> WebhookConfig.from(run(webhook, "merger").settings()));
        assertTrue(e.getMessage().startsWith("RECINGEST_WEBHOOK_SECRET"), e.getMessage());

        Map<String, String> s3 = Map.of("AWS_ACCESS_KEY_ID", "recingest", "AWS_SECRET_ACCESS_KEY", "CHANGE_ME_s3_secret_key");
        e = assertThrows(IllegalArgumentException.class,
                () -> dev.recingest.config.S3Config.from(run(s3, "merger").settings()));
        assertTrue(e.getMessage().startsWith("AWS_SECRET_ACCESS_KEY"), e.getMessage());
    }

    @Test
    void helpListsEverySettingOfTheCommandWithItsDefault() {
        for (Cli.Command c : Cli.COMMANDS) {
            Cli.Exit help = assertInstanceOf(Cli.Exit.class, Cli.parse(new String[] {c.name(), "--help"}, Map.of()));
            assertEquals(0, help.code());
            for (SettingCatalog.Section section : SettingCatalog.forCommand(c.name())) {
                for (Setting<?> s : section.settings()) {
                    String shown = s.secret() ? s.env() : s.flag() + "=<" + s.type() + ">";
                    assertTrue(help.text().contains(shown), c.name() + " --help lacks " + shown + ":\n" + help.text());
                    if (!s.defaultText().isEmpty()) {
                        assertTrue(help.text().replaceAll("\\s+", " ").contains("default: " + s.defaultText()),
                                c.name() + " --help lacks the default of " + s.env());
                    }
                }
            }
        }
        assertEquals(0, ((Cli.Exit) Cli.parse(new String[] {"--help"}, Map.of())).code());
    }

    @Test
    void unknownRecingestVariablesAreReported() {
        assertEquals(List.of("RECINGEST_MAX_CHUNKBYTES"), Cli.unknownVariables(Map.of("RECINGEST_MAX_CHUNKBYTES", "1",
                "RECINGEST_PORT", "1", "RECINGEST_JWT_SECRET_FILE", "/run/secrets/jwt", "PATH", "/bin")));
    }

    @Test
    void thePushGatewayAcceptsHostPortAndGetsTheIngestPath() {
        assertEquals(URI.create("ws://gw.example:8080/v1/ingest"), PushCommand.ingestUri("gw.example:8080"));
        assertEquals(URI.create("ws://gw.example:8080/v1/ingest"), PushCommand.ingestUri("ws://gw.example:8080"));
        assertEquals(URI.create("wss://gw.example/v1/ingest"), PushCommand.ingestUri("wss://gw.example/"));
        assertEquals(URI.create("ws://gw.example:8080/v1/ingest"), PushCommand.ingestUri("ws://gw.example:8080/v1/ingest"));
        assertThrows(IllegalArgumentException.class, () -> PushCommand.ingestUri("http://gw.example:8080"));
    }
}
