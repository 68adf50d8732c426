package dev.recingest.bench;

import dev.recingest.config.RedisConfig;
import dev.recingest.config.Retention;
import dev.recingest.config.S3Config;
import dev.recingest.config.Settings;
import dev.recingest.events.OutboxPublisher;
import dev.recingest.gateway.GatewayConfig;
import dev.recingest.gateway.GatewayServer;
import dev.recingest.observability.Metrics;
import dev.recingest.state.RecordingStore;
import dev.recingest.state.RedisConnections;
import dev.recingest.storage.S3Store;
import io.lettuce.core.api.StatefulRedisConnection;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * A gateway alone in its JVM, for the connections benchmark: the same wiring as {@code app}'s
 * {@code gateway} command (bench does not depend on app), configured from the environment. It speaks a
 * line protocol on stdin/stdout with the benchmark that spawned it: it prints {@code port=N} once
 * listening; {@code stats} answers one line of heap and direct-memory figures after a full GC,
 * {@code sample} the same without the GC; {@code quit} or end of stdin (the benchmark died) stops it, so
 * an aborted run never leaves a gateway behind.
 */
public final class GatewayMain {

    private GatewayMain() {
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.fromEnvAndFlags(System.getenv(), List.of(args), new ArrayList<>());
        GatewayConfig config = GatewayConfig.from(settings);
        RedisConnections redis = new RedisConnections(RedisConfig.from(settings));
        StatefulRedisConnection<String, String> connection = redis.connect();
        RecordingStore store = new RecordingStore(connection.async(), Clock.systemUTC());
        S3Store s3 = S3Store.create(S3Config.from(settings));
        GatewayServer gateway = GatewayServer.start(config, store, s3, s3, Metrics.newRegistry(),
                OutboxPublisher.create(settings, connection.async(), store), Retention.from(settings));
        System.out.println("port=" + gateway.port());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
            if (line.equals("stats") || line.equals("sample")) {
                if (line.equals("stats")) {
                    System.gc(); // a full collection: what is left is what the connections hold
                }
                System.out.println(stats());
                System.out.flush();
            }
        }
        gateway.close();
        connection.close();
        redis.close();
        s3.close();
        System.exit(0); // SDK threads are not all daemons
    }

    /** {@code heap=B direct=B pooledDirect=B}: JDK direct buffers, and the part Netty's pool holds. */
    static String stats() {
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
        long pooled = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
        return "stats heap=" + heap + " direct=" + direct + " pooledDirect=" + pooled;
    }
}
