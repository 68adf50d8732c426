package dev.recingest.app;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.LoggerFactory;

/**
 * The merger's structured log events of the benchmark's recordings, kept in memory, read back as the phases of a
 * stop ({@link LiveStopBenchmark}): when each step happened after {@code stoppedAt}, and how long each took.
 */
final class StopLog extends AppenderBase<ILoggingEvent> {

    static final String HEADER = "stop writes | job taken at | admission's reconcile (1 LIST) | merge started at "
            + "| last segment listed at | tail part up | ftyp+moov built (KiB) | part 1 up (MiB) "
            + "| MP4 staged at (mp4-final.json KiB) | Redis chunk sizes read | merge waited for the MP4 | chunk check "
            + "| claim | complete (S3 server) | manifest (KiB) | COMPLETED write";
    static final int COLUMNS = 16;

    private record Event(String message, long at, Map<String, String> kv) {
    }

    private final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();

    static StopLog attach() {
        StopLog log = new StopLog();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        log.setContext(root.getLoggerContext());
        log.start();
        root.addAppender(log);
        return log;
    }

    void detach() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(this);
        stop();
    }

    @Override
    protected void append(ILoggingEvent e) {
        if (e.getKeyValuePairs() == null) {
            return;
        }
        Map<String, String> kv = new HashMap<>();
        e.getKeyValuePairs().forEach(p -> kv.put(p.key, String.valueOf(p.value)));
        if (kv.containsKey("recording")) {
            events.add(new Event(e.getFormattedMessage(), e.getTimeStamp(), kv));
        }
    }

    /** One table row's cells (live) or a line (batch) for the recording's stop. */
    String phases(String id, long stoppedAt, long stopWritesMs, boolean live) {
        Event started = last(id, "merge started");
        Event uploaded = last(id, "output uploaded");
        Event published = last(id, "output published");
        if (!live) {
            return String.format(Locale.ROOT, "batch: stop writes %d ms, merge started at %d ms (reconcile %s ms), upload + complete %s ms "
                            + "(complete %s ms), manifest %s ms (%s KiB), COMPLETED write %s ms", stopWritesMs,
                    at(started, stoppedAt), get(started, "reconcileMs"), get(uploaded, "durationMs"), get(uploaded, "completeMs"),
                    get(published, "manifestMs"), kib(published, "manifestBytes"), get(published, "transitionMs"));
        }
        Event ended = last(id, "live playlist ended");
        Event parts = last(id, "live mp4 parts uploaded");
        Event finished = last(id, "live rendition finished");
        Event fromLive = last(id, "merge from live rendition");
        long startedAt = at(started, stoppedAt);
        long takenAt = started == null ? -1 : startedAt - Long.parseLong(get(started, "admitMs"));
        long awaitedFrom = fromLive == null ? -1 : fromLive.at() - stoppedAt - Long.parseLong(get(fromLive, "checkMs"))
                - Long.parseLong(get(fromLive, "awaitMs"));
        return String.join(" | ", Long.toString(stopWritesMs), Long.toString(takenAt), get(started, "reconcileMs"),
                Long.toString(startedAt), Long.toString(at(ended, stoppedAt)), get(parts, "tailUploadMs"),
                get(parts, "headBuildMs") + " (" + kib(parts, "headBytes") + ")",
                get(parts, "partOneUploadMs") + " (" + String.format(Locale.ROOT, "%.1f",
                        parts == null ? -1 : Long.parseLong(get(parts, "partOneBytes")) / 1048576.0) + ")",
                at(finished, stoppedAt) + " (" + kib(finished, "finalJsonBytes") + ")",
                Long.toString(awaitedFrom - startedAt), get(fromLive, "awaitMs"),
                get(fromLive, "checkMs"), get(uploaded, "claimMs"), get(uploaded, "completeMs"),
                get(published, "manifestMs") + " (" + kib(published, "manifestBytes") + ")", get(published, "transitionMs"));
    }

    /** The storage's CompleteMultipartUpload of the recording's output, request to answer (ms); -1 if not logged. */
    long completeMs(String id) {
        Event uploaded = last(id, "output uploaded");
        String v = get(uploaded, "completeMs");
        return v.equals("?") ? -1 : Long.parseLong(v);
    }

    /** When the recording's last event {@code message} was logged (epoch ms); -1 if never. */
    long at(String id, String message) {
        Event e = last(id, message);
        return e == null ? -1 : e.at();
    }

    /** A field of the recording's last event {@code message}, or "?". */
    String field(String id, String message, String key) {
        return get(last(id, message), key);
    }

    private Event last(String id, String message) {
        Event found = null;
        for (Event e : List.copyOf(events)) {
            if (id.equals(e.kv().get("recording")) && message.equals(e.message())) {
                found = e;
            }
        }
        return found;
    }

    private static long at(Event e, long stoppedAt) {
        return e == null ? -1 : e.at() - stoppedAt;
    }

    private static String get(Event e, String key) {
        return e == null ? "?" : e.kv().getOrDefault(key, "?");
    }

    private static String kib(Event e, String key) {
        String v = get(e, key);
        return v.equals("?") ? v : Long.toString(Long.parseLong(v) >> 10);
    }
}
