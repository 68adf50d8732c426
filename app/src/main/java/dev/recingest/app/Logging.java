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
 * The log level and format chosen by settings or flags. Every statement says what happened in a fixed phrase
 * and gives its values as SLF4J key-value pairs ({@code log.atInfo().addKeyValue("recording", id).log("merge
 * finished")}). Logback configures itself ({@link LogbackSetup}) before any setting is read: {@code text}, one
 * line per event, the phrase then {@code key=value} pairs ({@link KeyValuePairs}); {@code json} replaces the
 * root's appenders by one that writes each event as one JSON object per line on stderr (Logback's
 * {@link JsonEncoder}: the phrase in {@code formattedMessage}, the pairs in {@code kvpList}), the form log collectors
 * (Loki, Elasticsearch, Cloud Logging) take without a parsing rule.
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
            JsonEncoder encoder = jsonEncoder(context);
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

    /** The JSON format's encoder, started: one object per event with its level, time, logger, phrase and pairs. */
    static JsonEncoder jsonEncoder(LoggerContext context) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        // Context and MDC are empty here. The values are the key-value pairs; the formatted message stays for
        // the lines of libraries (Netty, Lettuce) that still put theirs in {} arguments.
        encoder.setWithContext(false);
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithFormattedMessage(true);
        encoder.setWithKVPList(true);
        encoder.start();
        return encoder;
    }
}
