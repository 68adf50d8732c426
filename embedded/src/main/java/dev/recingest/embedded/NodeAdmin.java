package dev.recingest.embedded;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.function.Function;

/**
 * Plain connections to single nodes of a test topology, for what only a node answers (CLUSTER MEET, INFO
 * replication, SENTINEL commands): one Lettuce client, a fresh connection per call, no reconnects.
 */
final class NodeAdmin implements AutoCloseable {

    private final RedisClient client = RedisClient.create();

    NodeAdmin() {
        client.setOptions(ClientOptions.builder().autoReconnect(false).build());
    }

    /** Runs {@code call} on the node at {@code port} (with {@code password}, or none when null). */
    <T> T call(int port, String password, Function<RedisCommands<String, String>, T> call) {
        RedisURI.Builder uri = RedisURI.Builder.redis("127.0.0.1", port).withTimeout(Duration.ofSeconds(10));
        if (password != null) {
            uri.withPassword(password.toCharArray());
        }
        try (StatefulRedisConnection<String, String> c = client.connect(uri.build())) {
            return call.apply(c.sync());
        }
    }

    <T> T call(int port, Function<RedisCommands<String, String>, T> call) {
        return call(port, null, call);
    }

    /** A field of INFO's output ({@code role}, {@code master_link_status}, …), or null. */
    static String infoField(String info, String field) {
        return info.lines().filter(l -> l.startsWith(field + ":")).map(l -> l.substring(field.length() + 1).trim())
                .findFirst().orElse(null);
    }

    static void await(java.util.function.BooleanSupplier condition, Duration limit, String what) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                // A node that is down or starting: ask again.
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not within " + limit + ": " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting until " + what);
            }
        }
    }

    @Override
    public void close() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
