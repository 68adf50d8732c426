package dev.recingest.bench;

import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Redis's own counters, read before and after a run: calls per command ({@code INFO commandstats}) and
 * CPU seconds ({@code INFO cpu}). The probe's own INFO calls are left out of the counts.
 */
final class RedisProbe {

    record Snapshot(Map<String, Long> calls, double cpuSeconds, long nanos) {
    }

    /**
     * Commands per acked chunk by name, total commands per chunk, and Redis CPU as a share of one core.
     * Commandstats also counts the commands a Lua script runs; which of them are round trips is known from
     * the gateway's code, not from Redis: {@link #SCRIPT_INTERNAL} lists the commands that only
     * assign.lua and commit.lua issue on the chunk path, so every other command is a round trip.
     */
    record Cost(Map<String, Double> perChunk, double commandsPerChunk, double cpuShareOfOneCore) {
        double roundTripsPerChunk() {
            return perChunk.entrySet().stream().filter(e -> !SCRIPT_INTERNAL.contains(e.getKey()))
                    .mapToDouble(Map.Entry::getValue).sum();
        }
    }

    static final java.util.Set<String> SCRIPT_INTERNAL = java.util.Set.of("get", "hget", "hmget", "hset", "incr",
            "hexists", "hincrby", "hsetnx", "sismember");

    private final RedisClusterCommands<String, String> redis;

    RedisProbe(RedisClusterCommands<String, String> redis) {
        this.redis = redis;
    }

    Snapshot snapshot() {
        Map<String, Long> calls = new HashMap<>();
        for (String line : redis.info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_")) {
                String name = line.substring(8, line.indexOf(':'));
                String rest = line.substring(line.indexOf("calls=") + 6);
                calls.put(name, Long.parseLong(rest.substring(0, rest.indexOf(','))));
            }
        }
        double cpu = 0;
        for (String line : redis.info("cpu").split("\r?\n")) {
            if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
                cpu += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return new Snapshot(calls, cpu, System.nanoTime());
    }

    static Cost cost(Snapshot before, Snapshot after, long chunks) {
        Map<String, Double> perChunk = new TreeMap<>();
        double total = 0;
        for (var e : after.calls().entrySet()) {
            if (e.getKey().equals("info")) {
                continue;
            }
            long delta = e.getValue() - before.calls().getOrDefault(e.getKey(), 0L);
            if (delta > 0 && chunks > 0) {
                perChunk.put(e.getKey(), (double) delta / chunks);
                total += (double) delta / chunks;
            }
        }
        double wall = (after.nanos() - before.nanos()) / 1e9;
        return new Cost(perChunk, total, (after.cpuSeconds() - before.cpuSeconds()) / wall);
    }
}
