package dev.recingest.bench;

import dev.recingest.app.GatewayNode;
import dev.recingest.config.Settings;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A gateway alone in its JVM, for the connections benchmark: {@code app}'s {@code gateway} command's own
 * wiring ({@link GatewayNode}), configured from the environment. It speaks a
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
        GatewayNode gateway = GatewayNode.start(settings);
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
