package dev.recingest.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.protocol.RecordingId;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every Lua script runs on one slot of a Redis Cluster: it touches only the keys it is given (a key a script
 * builds itself could live on another node), and the keys the Java side gives it share a slot
 * ({@link LuaScript#requireOneSlot}, which every script call goes through).
 */
class ScriptKeysTest {

    /** Commands whose key is not their first argument (a subcommand comes first). */
    private static final Set<String> KEY_AFTER_SUBCOMMAND = Set.of("XINFO", "XGROUP", "OBJECT", "MEMORY");
    /** Commands that take no key. */
    private static final Set<String> KEYLESS = Set.of("TIME", "PING", "ECHO");
    private static final Pattern DECLARED_KEY = Pattern.compile("KEYS\\[\\d+]");

    @Test
    void everyScriptTouchesOnlyTheKeysItIsGiven() throws Exception {
        List<Path> scripts = scripts();
        assertTrue(scripts.size() >= 18, "found the scripts: " + scripts);
        List<String> problems = new ArrayList<>();
        int calls = 0;
        for (Path script : scripts) {
            for (String call : redisCalls(Files.readString(script))) {
                calls++;
                String problem = keyProblem(call);
                if (problem != null) {
                    problems.add(script.getFileName() + ": " + problem + ": redis.call(" + call + ")");
                }
            }
        }
        assertTrue(calls > 50, "read the redis.call()s of every script: " + calls);
        assertEquals(List.of(), problems);
    }

    /** A shared function is included where a script names it, once; no include line reaches Redis. */
    @Test
    void anIncludedFunctionIsInTheScriptRedisRuns() {
        for (String script : List.of("point", "start")) {
            String source = LuaScript.source(script);
            assertFalse(source.contains("--#include"), script);
            assertEquals(source.indexOf("local function proofOfRedis()"), source.lastIndexOf("local function proofOfRedis()"),
                    script);
            assertTrue(source.indexOf("local function proofOfRedis()") >= 0, script);
        }
    }

    /** The check itself: a script that writes a global key, or a key it makes up, is caught. */
    @Test
    void aScriptThatTouchesAKeyItWasNotGivenIsCaught() {
        String bad = "local s = redis.call('HGET', KEYS[1], 'state')\n"
                + "redis.call('ZADD', 'recingest:open', ARGV[1], ARGV[2])\n"
                + "redis.call('DEL', 'rec:{' .. ARGV[1] .. '}:meta')\n"
                + "redis.call('XINFO', 'CONSUMERS', ARGV[1], 'mergers')\n"
                + "redis.call(ARGV[3], KEYS[1])\n";
        List<String> problems = redisCalls(bad).stream().map(ScriptKeysTest::keyProblem).filter(p -> p != null).toList();
        assertEquals(4, problems.size(), problems.toString());
    }

    @Test
    void theKeysOfOneRecordingShareASlotAndAGlobalKeyIsRefusedWithThem() {
        RecordingKeys k = new RecordingKeys(RecordingId.of("slot-check-1"));
        LuaScript.requireOneSlot("stop", k.all());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LuaScript.requireOneSlot("mixed", k.meta(), RecordingKeys.OPEN_INDEX));
        assertTrue(e.getMessage().contains("CROSSSLOT"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LuaScript.requireOneSlot("none"));
        // Two recordings are two slots (most of the time; these two are).
        RecordingKeys other = new RecordingKeys(RecordingId.of("slot-check-2"));
        assertThrows(IllegalArgumentException.class, () -> LuaScript.requireOneSlot("two", k.meta(), other.meta()));
        assertFalse(io.lettuce.core.cluster.SlotHash.getSlot(k.meta()) == io.lettuce.core.cluster.SlotHash.getSlot(other.meta()));
    }

    /** What is wrong with the key argument of one call, or null. */
    private static String keyProblem(String call) {
        List<String> args = splitTopLevel(call);
        String command = args.get(0).trim();
        if (!command.matches("'[A-Za-z]+'")) {
            return "the command is not a literal";
        }
        String name = command.substring(1, command.length() - 1).toUpperCase();
        if (KEYLESS.contains(name)) {
            return null;
        }
        int keyAt = KEY_AFTER_SUBCOMMAND.contains(name) ? 2 : 1;
        if (args.size() <= keyAt) {
            return "no key argument";
        }
        return DECLARED_KEY.matcher(args.get(keyAt).trim()).matches() ? null : "touches a key it was not given";
    }

    /** The argument text of every {@code redis.call(...)}. */
    private static List<String> redisCalls(String lua) {
        List<String> out = new ArrayList<>();
        int from = 0;
        while ((from = lua.indexOf("redis.call(", from)) >= 0) {
            int start = from + "redis.call(".length();
            int depth = 1;
            int i = start;
            while (depth > 0) {
                char c = lua.charAt(i++);
                depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            }
            out.add(lua.substring(start, i - 1));
            from = i;
        }
        return out;
    }

    private static List<String> splitTopLevel(String args) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < args.length(); i++) {
            char c = args.charAt(i);
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(args.substring(start, i));
                start = i + 1;
            }
        }
        out.add(args.substring(start));
        return out;
    }

    private static List<Path> scripts() throws URISyntaxException, IOException {
        Path dir = Path.of(LuaScript.class.getResource("start.lua").toURI()).getParent();
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".lua")).sorted().toList();
        }
    }
}
