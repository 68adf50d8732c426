package dev.recingest.app;

import dev.recingest.config.Setting;
import dev.recingest.config.Settings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The command line, parsed by picocli with one option per setting of the command
 * ({@link SettingCatalog}): {@code --port=9000} and {@code --port 9000} both work; an unknown flag, a
 * flag without its value, a value of the wrong type, a flag given twice or an extra argument is refused
 * with one line and exit code 2. A secret given as a flag is refused too: secrets come from the
 * environment, so they stay out of the process list and shell history.
 */
final class Cli {

    static final String PROGRAM = "java -jar recingest.jar";
    static final int USAGE_ERROR = 2;
    private static final int WIDTH = 100;

    /** A command: its name, its positional arguments ("" for none) and what it does. */
    record Command(String name, String arguments, String summary) {
    }

    static final List<Command> COMMANDS = List.of(
            new Command("gateway", "", "run a gateway against RECINGEST_REDIS_URI and RECINGEST_S3_*; SIGTERM drains it"),
            new Command("merger", "", "run a merge worker and the webhook delivery; Prometheus metrics on RECINGEST_METRICS_PORT"),
            new Command("all", "", "embedded Redis and S3 under ./data, a gateway on 127.0.0.1:8080 (with the demo page at /demo/) and a merger; prints a development recorder token and admin token"),
            new Command("demo", "", "'all' on a free port, then record a generated 20 s video through the gateway, wait for the MP4 and print where it is and what ffprobe sees in it; then exit"),
            new Command("push", "FILE", "push a media file as one recording to a running gateway (RECINGEST_TOKEN), and wait for the MP4 if RECINGEST_ADMIN_TOKEN is set"),
            new Command("record", "", "record live sources (an SDP file for RTP, rtsp://, an HLS playlist, srt://, a file) through a running gateway until they end, RECINGEST_MAX_DURATION or SIGTERM"),
            new Command("token", "ID|PREFIX*", "print a recorder token for a recording id (or an id prefix ending in *), signed with RECINGEST_JWT_SECRET"),
            new Command("settings", "", "print every setting (variable, flag, default, meaning) as the README's Markdown table"));

    /** What the command line asks for: a command to run with its settings and arguments, or an exit. */
    sealed interface Outcome permits Run, Exit {
    }

    /** Run {@code command} with the environment overridden by the flags given. */
    record Run(String command, Settings settings, Map<String, String> flags, List<String> arguments) implements Outcome {
    }

    /** Print {@code text} (to stdout when code is 0, else stderr) and exit with {@code code}. */
    record Exit(int code, String text) implements Outcome {
    }

    private Cli() {
    }

    static Outcome parse(String[] args, Map<String, String> env) {
        CommandLine root = root();
        if (args.length == 0) {
            return new Exit(USAGE_ERROR, "error: no command given\n" + root.getUsageMessage());
        }
        if (!args[0].startsWith("-") && COMMANDS.stream().noneMatch(c -> c.name().equals(args[0]))) {
            return new Exit(USAGE_ERROR, "error: unknown command '" + args[0] + "'; commands: "
                    + String.join(", ", COMMANDS.stream().map(Command::name).toList()) + " (see " + PROGRAM + " --help)\n");
        }
        ParseResult parsed;
        try {
            parsed = root.parseArgs(args);
        } catch (ParameterException e) {
            CommandSpec where = e.getCommandLine().getCommandSpec();
            String help = where.parent() == null ? PROGRAM + " --help" : PROGRAM + " " + where.name() + " --help";
            return new Exit(USAGE_ERROR, "error: " + oneLine(e.getMessage()) + " (see " + help + ")\n");
        }
        if (parsed.isUsageHelpRequested() || !parsed.hasSubcommand()) {
            return new Exit(parsed.isUsageHelpRequested() ? 0 : USAGE_ERROR, root.getUsageMessage());
        }
        ParseResult sub = parsed.subcommand();
        String command = sub.commandSpec().name();
        if (sub.isUsageHelpRequested()) {
            return new Exit(0, sub.commandSpec().commandLine().getUsageMessage());
        }
        Map<String, Setting<?>> byFlag = new HashMap<>();
        SettingCatalog.forCommand(command).forEach(s -> s.settings().forEach(x -> byFlag.put(x.flag(), x)));
        Map<String, String> flags = new LinkedHashMap<>();
        for (OptionSpec o : sub.matchedOptions()) {
            Setting<?> setting = byFlag.get(o.longestName());
            if (setting == null) {
                continue;
            }
            String value = o.getValue();
            if (setting.secret()) {
                return new Exit(USAGE_ERROR, "error: " + o.longestName() + ": a secret is read from the environment only; set "
                        + setting.env() + " instead (a flag would show in the process list)\n");
            }
            try {
                setting.parser().parse(setting.flag(), value);
            } catch (IllegalArgumentException e) {
                return new Exit(USAGE_ERROR, "error: " + e.getMessage() + "\n");
            }
            flags.put(setting.env(), value);
        }
        List<String> arguments = new ArrayList<>();
        for (PositionalParamSpec p : sub.matchedPositionals()) {
            arguments.add(p.getValue());
        }
        Map<String, String> merged = new HashMap<>(env);
        merged.putAll(flags);
        return new Run(command, Settings.of(merged), flags, arguments);
    }

    /** Environment variables that look like settings but are none: typos that would otherwise be ignored. */
    static List<String> unknownVariables(Map<String, String> env) {
        Map<String, Setting<?>> all = SettingCatalog.all();
        // NAME_FILE (a file holding NAME's value, as Docker and Kubernetes hand secrets over) counts as NAME.
        return env.keySet().stream().filter(k -> k.startsWith(Settings.PREFIX) && !all.containsKey(k)
                && !(k.endsWith("_FILE") && all.containsKey(k.substring(0, k.length() - "_FILE".length()))))
                .sorted().toList();
    }

    private static CommandLine root() {
        CommandSpec spec = CommandSpec.create().name(PROGRAM);
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("show this help").build());
        spec.usageMessage().width(WIDTH + 20)
                .customSynopsis(PROGRAM + " <command> [--setting=value | --setting value]... [arguments]")
                .footer(escape("%nEvery setting is an environment variable (RECINGEST_PORT) that a flag (--port=8080 or "
                        + "--port 8080) overrides; secrets come from the environment only.%n"
                        + PROGRAM + " <command> --help lists the settings of a command.%n"));
        CommandLine root = new CommandLine(spec);
        for (Command c : COMMANDS) {
            root.addSubcommand(c.name(), new CommandLine(command(c)));
        }
        return root;
    }

    private static CommandSpec command(Command c) {
        CommandSpec spec = CommandSpec.create().name(c.name());
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("show this help").build());
        if (!c.arguments().isEmpty()) {
            spec.addPositional(PositionalParamSpec.builder().paramLabel(c.arguments().split("[|]")[0])
                    .arity("1").required(true).type(String.class).build());
        }
        StringBuilder help = new StringBuilder();
        for (SettingCatalog.Section section : SettingCatalog.forCommand(c.name())) {
            help.append('\n').append(section.title()).append(":\n");
            for (Setting<?> s : section.settings()) {
                // Secrets get a hidden option, so that giving one as a flag gets its own error, not "unknown".
                spec.addOption(OptionSpec.builder(s.flag()).type(String.class).arity("1").hidden(true)
                        .paramLabel("<" + s.type() + ">").build());
                String name = s.secret() ? "  " + s.env() : "  " + s.flag() + "=<" + s.type() + ">";
                String meaning = s.description() + " [" + s.env()
                        + (s.defaultText().isEmpty() ? "" : ", default: " + s.defaultText())
                        + (s.secret() ? ", environment only" + (s.minLength() > 0 ? ", at least " + s.minLength()
                        + " characters" : "") : "") + "]";
                help.append(wrap(name, 34, meaning));
            }
        }
        spec.usageMessage()
                .width(WIDTH + 20)
                .customSynopsis(escape(PROGRAM + " " + c.name() + (c.arguments().isEmpty() ? "" : " " + c.arguments())
                        + " [--setting=value | --setting value]...%n"))
                .description(escape(c.summary()))
                .footer(escape(help.toString().replace("\n", "%n")));
        return spec;
    }

    /**
     * {@code head}, padded to {@code indent} columns (or alone on its line when longer), then {@code text}
     * wrapped at {@link #WIDTH} columns with its continuation lines indented as far.
     */
    private static String wrap(String head, int indent, String text) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder(head);
        if (line.length() >= indent && indent > 0) {
            lines.add(line.toString());
            line = new StringBuilder(" ".repeat(indent));
        }
        while (line.length() < indent) {
            line.append(' ');
        }
        boolean atStart = true;
        for (String word : text.split(" ")) {
            if (!atStart && line.length() + 1 + word.length() > WIDTH) {
                lines.add(line.toString());
                line = new StringBuilder(" ".repeat(indent));
                atStart = true;
            }
            line.append(atStart ? "" : " ").append(word);
            atStart = false;
        }
        lines.add(line.toString());
        return String.join("\n", lines) + "\n";
    }

    /** picocli reads help text as a format string: a literal % must be doubled (newlines are %n). */
    private static String escape(String text) {
        return text.replace("%", "%%").replace("%%n", "%n");
    }

    private static String oneLine(String message) {
        return message == null ? "invalid command line" : message.lines().findFirst().orElse(message);
    }

    /** For tests: the help of one command as printed. */
    static String help(String command) {
        StringWriter out = new StringWriter();
        root().getSubcommands().get(command).usage(new PrintWriter(out));
        return out.toString();
    }
}
