package dev.recingest.app;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.List;
import org.slf4j.event.KeyValuePair;

/**
 * The text format's {@code %kv}: an event's SLF4J key-value pairs after its message, {@code key=value}
 * separated by spaces and preceded by one, nothing when there are none. A value is quoted ({@code "..."},
 * with {@code \"}, {@code \\}, {@code \n} escaped inside) only when it must be to read back as one value: empty,
 * or holding a space, a quote, an {@code =} or a control character. Logback's own {@code %kvp} quotes every
 * value or none, so {@code recording=abc} would read {@code recording="abc"} and a reason with spaces could not
 * be told from the next pair.
 */
public final class KeyValuePairs extends ClassicConverter {

    @Override
    public String convert(ILoggingEvent event) {
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        if (pairs == null || pairs.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (KeyValuePair p : pairs) {
            sb.append(' ').append(p.key).append('=');
            appendValue(sb, String.valueOf(p.value));
        }
        return sb.toString();
    }

    /** {@code value} as it goes after {@code key=}: bare when it reads back as one token, quoted otherwise. */
    static void appendValue(StringBuilder sb, String value) {
        if (!needsQuotes(value)) {
            sb.append(value);
            return;
        }
        sb.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c);
            }
        }
        sb.append('"');
    }

    private static boolean needsQuotes(String value) {
        if (value.isEmpty()) {
            return true;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || c == '"' || c == '=') {
                return true;
            }
        }
        return false;
    }
}
