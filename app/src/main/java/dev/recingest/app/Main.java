package dev.recingest.app;

import dev.recingest.config.Settings;
import dev.recingest.media.FfmpegBinaries;
import java.util.List;

/**
 * {@code java -jar recingest.jar <command> [--setting=value | --setting value]... [arguments]}: the
 * command line is parsed by {@link Cli}; mistakes exit with code 2 and one line on stderr.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    static int run(String[] args) throws Exception {
        Cli.Outcome outcome = Cli.parse(args, System.getenv());
        if (outcome instanceof Cli.Exit exit) {
            (exit.code() == 0 ? System.out : System.err).print(exit.text());
            return exit.code();
        }
        Cli.Run run = (Cli.Run) outcome;
        for (String unknown : Cli.unknownVariables(System.getenv())) {
            System.err.println("warning: " + unknown + " is not a recingest setting and is ignored ("
                    + Cli.PROGRAM + " settings lists them)");
        }
        try {
            return dispatch(run);
        } catch (IllegalArgumentException e) {
            // Configuration mistakes: one clear line, no stack trace.
            System.err.println("error: " + e.getMessage());
            return Cli.USAGE_ERROR;
        } catch (StartupFailure e) {
            // A backend that cannot be reached at start-up: one line naming it, and what to check.
            System.err.println("error: " + e.getMessage());
            return 1;
        }
    }

    private static int dispatch(Cli.Run run) throws Exception {
        Settings settings = run.settings();
        // logback read RECINGEST_LOG_LEVEL from the environment; a flag overrides it here.
        Logging.configure(run.flags().get(LauncherSettings.LOG_LEVEL.env()),
                Logging.format(settings.get(LauncherSettings.LOG_FORMAT)));
        FfmpegBinaries.configure(settings.get(FfmpegBinaries.DIR));
        List<String> args = run.arguments();
        return switch (run.command()) {
            case "gateway" -> Processes.runGateway(settings);
            case "merger" -> Processes.runMerger(settings);
            case "all" -> EmbeddedCluster.runForever(settings);
            case "demo" -> Demo.run(settings);
            case "push" -> PushCommand.run(settings, args);
            case "record" -> RecordCommand.run(settings, args);
            case "token" -> TokenCommand.run(settings, args);
            case "settings" -> {
                System.out.print(SettingCatalog.markdownTable());
                yield 0;
            }
            default -> throw new IllegalStateException("command without a handler: " + run.command());
        };
    }
}
