package dev.recingest.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The series selectors of a PromQL expression: each metric name with its equality matchers
 * ({@code recingest_chunks_total{outcome="acked"}}), so that a test can check them against what a process
 * really exports. promtool checks the syntax; this only needs to find the names, so it is a scanner, not a
 * parser: it drops strings, ranges and grouping clauses, then takes every identifier that is not a
 * function, a keyword or a label.
 */
final class PromQl {

    /** One selector: a metric name and its {@code label="value"} matchers ({@code =~}, {@code !=} ignored). */
    record Selector(String metric, Map<String, String> equals) {
        @Override
        public String toString() {
            return metric + equals;
        }
    }

    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "by", "without", "on",
            "ignoring", "group_left", "group_right", "offset", "inf", "nan", "atan2");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern TOKEN = Pattern.compile(
            "(?<number>\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?[a-z]*)"
            + "|(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(?<matchers>\\{[^}]*})?\\s*(?<call>\\()?"
            + "|(?<braces>\\{[^}]*})");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private PromQl() {
    }

    static List<Selector> selectors(String expr) {
        String s = expr
                .replaceAll("\\$__\\w+|\\$\\{?\\w+}?", "5m") // Grafana variables ($__rate_interval) are durations
                .replaceAll("\\[[^\\]]*]", " ")                // ranges and subqueries
                .replaceAll("\\boffset\\s+\\S+", " ");
        s = GROUPING.matcher(s).replaceAll(" ");
        List<Selector> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(stripStringsOutsideBraces(s));
        while (m.find()) {
            String name = m.group("name");
            if (name == null || m.group("call") != null || KEYWORDS.contains(name)) {
                continue;
            }
            out.add(new Selector(name, matchers(m.group("matchers"))));
        }
        return out;
    }

    private static Map<String, String> matchers(String braces) {
        Map<String, String> eq = new LinkedHashMap<>();
        if (braces != null) {
            Matcher m = MATCHER.matcher(braces);
            while (m.find()) {
                if (m.group(2).equals("=")) {
                    eq.put(m.group(1), m.group(3));
                }
            }
        }
        return eq;
    }

    /** String literals outside label matchers (label_replace arguments) hold no metric names. */
    private static String stripStringsOutsideBraces(String s) {
        StringBuilder b = new StringBuilder();
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
                continue;
            }
            if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
            } else if (c == '"' && depth == 0) {
                inString = true;
                b.append(' ');
                continue;
            }
            b.append(c);
        }
        return b.toString();
    }
}
