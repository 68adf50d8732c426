package dev.recingest.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What Redis itself saw, key by key: {@code redis-cli monitor} on each master, every command counted under the
 * key it names ({@link #keyGroup}). Commands a client sent (round trips) and commands a Lua script ran inside
 * Redis ({@code [0 lua]} lines) are counted apart. MONITOR costs Redis some throughput, so this measures how the
 * load is spread, not how much a server can take.
 */
final class RedisMonitor implements AutoCloseable {

    /** The group of every command one master received, followed by its port. */
    static final String NODE = "(every command on the master at port ";

    /** Counts under "sent:&lt;group&gt;" and "lua:&lt;group&gt;". */
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final List<Process> processes = new ArrayList<>();
    private final List<Thread> readers = new ArrayList<>();

    RedisMonitor(List<Integer> ports) throws IOException {
        for (int port : ports) {
            Process p = new ProcessBuilder("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port), "monitor")
                    .redirectErrorStream(true).start();
            processes.add(p);
            Thread t = new Thread(() -> read(p, port), "monitor-" + port);
            t.setDaemon(true);
            t.start();
            readers.add(t);
        }
    }

    private void read(Process p, int port) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                count(line, port);
            }
        } catch (IOException e) {
            // The process was stopped.
        }
    }

    private void count(String line, int port) {
        int close = line.indexOf("] ");
        if (close < 0) {
            return; // "OK" at the start
        }
        boolean lua = line.substring(0, close).endsWith(" lua");
        List<String> args = args(line, close + 2, 16);
        if (args.isEmpty()) {
            return;
        }
        String kind = lua ? "lua:" : "sent:";
        counts.computeIfAbsent(kind + keyGroup(args), k -> new LongAdder()).increment();
        counts.computeIfAbsent(kind + NODE + port, k -> new LongAdder()).increment();
    }

    /**
     * The first {@code max} quoted arguments of a MONITOR line from {@code from} on (a script's body can be
     * kilobytes of escaped text; only the command and its first keys are needed).
     */
    static List<String> args(String line, int from, int max) {
        List<String> out = new ArrayList<>();
        int i = from;
        while (out.size() < max) {
            int open = line.indexOf('"', i);
            if (open < 0) {
                break;
            }
            StringBuilder arg = new StringBuilder();
            int j = open + 1;
            while (j < line.length() && line.charAt(j) != '"') {
                if (line.charAt(j) == '\\' && j + 1 < line.length()) {
                    j++;
                }
                arg.append(line.charAt(j));
                j++;
            }
            out.add(arg.toString());
            i = j + 1;
        }
        return out;
    }

    /** The key a command names, as a group: a global key by name, every per-recording key as one group. */
    static String keyGroup(List<String> args) {
        String cmd = args.get(0).toLowerCase(java.util.Locale.ROOT);
        String key = null;
        switch (cmd) {
            case "evalsha", "eval", "evalsha_ro", "eval_ro", "fcall", "fcall_ro" -> {
                if (args.size() > 3 && !"0".equals(args.get(2))) {
                    key = args.get(3);
                }
            }
            case "xreadgroup", "xread" -> {
                for (int i = 1; i < args.size() - 1; i++) {
                    if ("streams".equalsIgnoreCase(args.get(i))) {
                        key = args.get(i + 1);
                        break;
                    }
                }
            }
            case "xinfo", "xgroup" -> key = args.size() > 2 ? args.get(2) : null;
            case "ping", "info", "cluster", "readonly", "readwrite", "client", "hello", "auth", "select", "command",
                 "time", "script", "multi", "exec", "discard", "config", "flushall", "quit", "echo" -> key = null;
            default -> key = args.size() > 1 ? args.get(1) : null;
        }
        if (key == null) {
            return "(no key: " + cmd + ")";
        }
        if (key.startsWith("rec:{")) {
            return "rec:{id}:* (per recording)";
        }
        if (key.startsWith("recingest:subject-open:{")) {
            return "recingest:subject-open:{sub} (per token subject)";
        }
        return key;
    }

    /** A copy of the counts so far. */
    Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** {@code after} minus {@code before}, key by key. */
    static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> out = new TreeMap<>();
        after.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d > 0) {
                out.put(k, d);
            }
        });
        return out;
    }

    @Override
    public void close() {
        processes.forEach(Process::destroy);
        for (Process p : processes) {
            try {
                if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }
}
