package dev.recingest.state;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A Lua script run by its SHA. A Redis that restarted (or a replica that took over) has an empty script
 * cache; the NOSCRIPT reply is answered by sending the source once, which also caches it again (on a Redis
 * Cluster, on the node that owns the keys' slot: EVALSHA and EVAL go where their first key lives).
 *
 * <p>Every script names at least one key and all its keys hash to one slot, or it is refused before it is
 * sent: on a Redis Cluster anything else is a CROSSSLOT error (or a script run on a node that holds none of
 * its keys), and checking here makes every test on a single Redis check it too. The scripts themselves
 * touch only the keys they are given ({@code ScriptKeysTest}).
 */
final class LuaScript {

    private final String name;
    private final String source;
    private final String sha;

    private LuaScript(String name, String source) {
        this.name = name;
        this.source = source;
        this.sha = sha1(source);
    }

    static LuaScript load(String name) {
        return new LuaScript(name, source(name));
    }

    /**
     * The text of a script, for the callers on synchronous connections that EVAL it themselves. A line
     * {@code --#include <name>} is replaced by the text of {@code <name>.lua} (a function two scripts share;
     * Redis has no includes).
     */
    static String source(String name) {
        return INCLUDE.matcher(text(name)).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(text(m.group(1))));
    }

    private static final java.util.regex.Pattern INCLUDE = java.util.regex.Pattern.compile("(?m)^--#include (\\w+)$");

    private static String text(String name) {
        try (InputStream in = LuaScript.class.getResourceAsStream(name + ".lua")) {
            if (in == null) {
                throw new IllegalStateException("missing script " + name + ".lua");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String name() {
        return name;
    }

    CompletableFuture<List<Object>> run(RedisClusterAsyncCommands<String, String> redis, String[] keys, String... args) {
        requireOneSlot(name, keys);
        CompletableFuture<List<Object>> first =
                redis.<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys, args).toCompletableFuture();
        return first.handle((result, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(result);
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof RedisNoScriptException) {
                return redis.<List<Object>>eval(source, ScriptOutputType.MULTI, keys, args).toCompletableFuture();
            }
            return CompletableFuture.<List<Object>>failedFuture(cause);
        }).thenCompose(f -> f);
    }

    /** Refuses keys that a Redis Cluster could not give one script: none, or more than one slot. */
    static void requireOneSlot(String script, String... keys) {
        if (keys.length == 0) {
            throw new IllegalArgumentException("script " + script + " names no key: on a Redis Cluster it would run"
                    + " on an arbitrary node");
        }
        int slot = SlotHash.getSlot(keys[0]);
        for (String key : keys) {
            if (SlotHash.getSlot(key) != slot) {
                throw new IllegalArgumentException("script " + script + " touches keys in more than one slot ("
                        + keys[0] + ", " + key + "): a CROSSSLOT error on a Redis Cluster; give them one hash tag");
            }
        }
    }

    private static String sha1(String source) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
