package dev.recingest.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How {@link RedisMonitor} reads MONITOR lines: arguments (escapes, long script bodies) and the key each names. */
class RedisMonitorTest {

    @Test
    void argumentsAreReadWithTheirEscapes() {
        String line = "1733450000.123456 [0 127.0.0.1:51234] \"hset\" \"rec:{a\\\"b}:meta\" \"state\" \"RECORDING\"";
        assertEquals(List.of("hset", "rec:{a\"b}:meta", "state", "RECORDING"), RedisMonitor.args(line, line.indexOf("] ") + 2, 16));
    }

    @Test
    void aLongScriptBodyIsCutAtTheArgumentsNeeded() {
        String body = "local x = \\\"y\\\"\\n".repeat(20_000);
        String line = "1733450000.1 [0 127.0.0.1:1] \"eval\" \"" + body + "\" \"1\" \"recingest:open\"";
        List<String> args = RedisMonitor.args(line, line.indexOf("] ") + 2, 16);
        assertEquals("recingest:open", RedisMonitor.keyGroup(args));
    }

    @Test
    void eachCommandIsCountedUnderTheKeyItNames() {
        assertEquals("rec:{id}:* (per recording)",
                RedisMonitor.keyGroup(List.of("evalsha", "0123abcd", "3", "rec:{x}:meta", "rec:{x}:next", "rec:{x}:stored")));
        assertEquals("recingest:open", RedisMonitor.keyGroup(List.of("zadd", "recingest:open", "XX", "1", "x")));
        assertEquals("recingest:merge-jobs", RedisMonitor.keyGroup(List.of("XREADGROUP", "GROUP", "mergers", "m-1", "COUNT",
                "1", "BLOCK", "2000", "STREAMS", "recingest:merge-jobs", ">")));
        assertEquals("recingest:merge-jobs", RedisMonitor.keyGroup(List.of("xinfo", "CONSUMERS", "recingest:merge-jobs", "mergers")));
        assertEquals("recingest:subject-open:{sub} (per token subject)",
                RedisMonitor.keyGroup(List.of("evalsha", "ab", "1", "recingest:subject-open:{00ff}", "x")));
        assertEquals("(no key: ping)", RedisMonitor.keyGroup(List.of("PING")));
        assertEquals("(no key: evalsha)", RedisMonitor.keyGroup(List.of("evalsha", "ab", "0")));
    }
}
