package dev.recingest.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * The log level and format chosen by settings or flags. Logback configures itself from {@code logback.xml}
 * before any setting is read (one line each, {@code key=value}); {@code json} replaces the root's appenders
 * by one that writes each event as one JSON object per line on stderr (Logback's {@link JsonEncoder}), the
 * form log collectors (Loki, Elasticsearch, Cloud Logging) take without a parsing rule.
 */
final class Logging {

    enum Format { TEXT, JSON }

    private Logging() {
    }

    /** The format named by a setting's value; IllegalArgumentException naming the setting otherwise. */
    static Format format(String value) {
        try {
            return Format.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(LauncherSettings.LOG_FORMAT.env() + " must be text or json, not '"
                    + value + "'");
        }
    }

    /** Applies the level (when given: a flag overrides what logback read from the environment) and the format. */
    static void configure(String levelOverride, Format format) {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (levelOverride != null) {
            root.setLevel(Level.toLevel(levelOverride, Level.INFO));
        }
        if (format == Format.JSON) {
            LoggerContext context = root.getLoggerContext();
            JsonEncoder encoder = new JsonEncoder();
            encoder.setContext(context);
            // Context and MDC are empty here; the formatted message is the readable one (arguments filled in).
            encoder.setWithContext(false);
            encoder.setWithMessage(false);
            encoder.setWithArguments(false);
            encoder.setWithFormattedMessage(true);
            encoder.start();
            ConsoleAppender<ILoggingEvent> json = new ConsoleAppender<>();
            json.setContext(context);
            json.setName("json");
            json.setTarget("System.err");
            json.setEncoder(encoder);
            json.start();
            List<Appender<ILoggingEvent>> old = new ArrayList<>();
            for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
                old.add(it.next());
            }
            root.addAppender(json);
            for (Appender<ILoggingEvent> a : old) {
                root.detachAppender(a);
                a.stop();
            }
        }
    }
}
