package dev.recingest.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;

/**
 * Logback's configuration in code (found through {@code META-INF/services}): one line per event on stderr, the
 * phrase then the {@code key=value} pairs ({@link KeyValuePairs}), the root at RECINGEST_LOG_LEVEL (INFO), chatty
 * libraries at WARN. It replaces the {@code logback.xml} the jar used to carry because reading that XML (Joran and
 * the JDK's XML parser: ~600 classes) was a visible part of every process's start (BENCHMARKS.md section 8,
 * "Gateway start-up"). Defers to a file when there is one: {@code -Dlogback.configurationFile}, or a
 * {@code logback-test.xml} / {@code logback.xml} on the class path (tests, the benchmark, an operator's own).
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class LogbackSetup extends ContextAwareBase implements Configurator {

    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} level=%level logger=%logger{0} thread=%thread %msg%kv%n";

    private static final Map<String, Level> QUIET = Map.of("org.eclipse.jetty", Level.WARN, "org.gaul", Level.WARN,
            "jclouds", Level.WARN, "org.jclouds", Level.WARN, "io.netty", Level.INFO, "io.lettuce", Level.INFO,
            "software.amazon", Level.WARN, "com.github.kokorin.jaffree", Level.WARN);

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        ClassLoader loader = LogbackSetup.class.getClassLoader();
        if (System.getProperty("logback.configurationFile") != null || loader.getResource("logback-test.xml") != null
                || loader.getResource("logback.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        apply(context, System.getenv("RECINGEST_LOG_LEVEL")); // LauncherSettings.LOG_LEVEL, before any setting is read
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** The configuration itself, whatever files exist; {@code level}: the root's (null: INFO). */
    static void apply(LoggerContext context, String level) {
        PatternLayout layout = new PatternLayout();
        layout.setContext(context);
        layout.setPattern(PATTERN);
        layout.getInstanceConverterMap().put("kv", KeyValuePairs::new);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.start();
        ConsoleAppender<ILoggingEvent> out = new ConsoleAppender<>();
        out.setContext(context);
        out.setName("OUT");
        out.setTarget("System.err");
        out.setEncoder(encoder);
        out.start();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(level, Level.INFO));
        root.addAppender(out);
        QUIET.forEach((name, l) -> context.getLogger(name).setLevel(l));
    }
}
