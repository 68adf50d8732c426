package dev.recingest.gateway.ingest;

import dev.recingest.observability.Laps;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Where a connection's time went from its TCP accept to {@code started}, phase by phase: {@code upgrade} (the
 * WebSocket handshake), {@code start_received} (the client's answer to it), then the start's own steps
 * ({@link RecordingLifecycle#start(dev.recingest.protocol.Message.Start, String, Laps)}). Logged with the
 * "recording started" / "recording resumed" line ({@code upgradeMs=… listMs=… totalMs=…}) and, for a resume,
 * recorded in {@code recingest_resume_seconds{phase}}: what an operator looks at when resumes are slow, and what
 * {@code ResumeBenchmark} breaks a resume down by. A connection's event loop only; two longs until {@code start}.
 */
final class StartTiming {

    private final long acceptedNanos = System.nanoTime();
    private long upgradedNanos;
    private Laps laps;

    void upgraded() {
        upgradedNanos = System.nanoTime();
    }

    /** The {@code start} arrived: the laps its steps take from here. */
    Laps startReceived() {
        laps = new Laps(acceptedNanos);
        laps.lapAt("upgrade", upgradedNanos == 0 ? acceptedNanos : upgradedNanos);
        laps.lap("start_received");
        return laps;
    }

    /** Adds each phase's milliseconds to {@code log} and, for a resume, records them in {@code metrics}. */
    LoggingEventBuilder report(LoggingEventBuilder log, GatewayMetrics metrics, boolean resumed) {
        if (laps == null) {
            return log;
        }
        for (Laps.Lap lap : laps.laps()) {
            log = log.addKeyValue(camel(lap.phase()) + "Ms", millis(lap.nanos()));
            if (resumed) {
                metrics.resumePhase(lap.phase(), lap.nanos());
            }
        }
        if (resumed) {
            metrics.resumePhase("total", laps.totalNanos());
        }
        log = log.addKeyValue("totalMs", millis(laps.totalNanos()));
        laps = null;
        return log;
    }

    private static String millis(long nanos) {
        return Long.toString(nanos / 1_000_000) + "." + (nanos / 100_000) % 10;
    }

    private static String camel(String snake) {
        StringBuilder b = new StringBuilder(snake.length());
        for (int i = 0; i < snake.length(); i++) {
            char c = snake.charAt(i);
            if (c == '_' && i + 1 < snake.length()) {
                b.append(Character.toUpperCase(snake.charAt(++i)));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
