package dev.recingest.app;

import dev.recingest.config.Settings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** {@code java -jar recingest.jar <command> [--setting=value ...] [arguments]}. */
public final class Main {

    static final String USAGE = """
            usage: java -jar recingest.jar <command> [--name=value ...] [arguments]

            commands:
              gateway          run a gateway (Redis and S3 from RECINGEST_REDIS_URI / RECINGEST_S3_*)
              merger           run a merge worker
              all              run everything on one machine: embedded Redis and S3 under ./data, a gateway
                               (with the demo page at /demo/) and a merger on 127.0.0.1; prints a development token
              demo             'all', then record a generated 20 s video through the gateway, wait for the
                               MP4 and print where it is and what ffprobe says; then exit
              push FILE        push a media file as one recording to a running gateway and wait for the MP4
                               (--mode=stream|segments, --gateway=ws://host:port, --token=..., --admin-token=...)
              record           record a live source through a running gateway until it ends or SIGTERM
                               (--source=rtsp://…|FILE.sdp|https://…/x.m3u8|srt://…|FILE --recording-id=ID,
                               or --sources-file=FILE; --gateway=…, RECINGEST_TOKEN)
              token ID|PREFIX* print a recorder token for a recording id (or an id prefix ending in *),
                               signed with RECINGEST_JWT_SECRET

            Every setting is an environment variable (RECINGEST_PORT) that a flag (--port=8080) overrides;
            see README.md for the list.
            """;

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || Arrays.asList("-h", "--help", "help").contains(args[0])) {
            System.out.print(USAGE);
            return;
        }
        List<String> rest = new ArrayList<>();
        Settings settings = Settings.fromEnvAndFlags(System.getenv(), Arrays.asList(args).subList(1, args.length), rest);
        int code;
        try {
            code = switch (args[0]) {
                case "gateway" -> Processes.runGateway(settings);
                case "merger" -> Processes.runMerger(settings);
                case "all" -> EmbeddedCluster.runForever(settings);
                case "demo" -> Demo.run(settings);
                case "push" -> PushCommand.run(settings, rest);
                case "record" -> RecordCommand.run(settings, rest);
                case "token" -> TokenCommand.run(settings, rest);
                default -> {
                    System.err.println("unknown command: " + args[0]);
                    System.err.print(USAGE);
                    yield 2;
                }
            };
        } catch (IllegalArgumentException e) {
            // Configuration mistakes: one clear line, no stack trace.
            System.err.println("error: " + e.getMessage());
            code = 2;
        }
        System.exit(code);
    }
}
