package dev.recingest.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The connections benchmark's arithmetic and option parsing (fast: no servers, no gateway JVM). */
class ConnTablesTest {

    @Test
    void heapPerConnectionIsTheDeltaOverTheCount() {
        assertEquals(4.0, ConnTables.kibPerConnection(10L << 20, (10L << 20) - 4096L * 10_000, 10_000), 1e-9);
        assertTrue(Double.isNaN(ConnTables.kibPerConnection(1, 0, 0)));
    }

    @Test
    void optionsParseStepsIntervalsAndSizes() {
        Connections.Options o = Connections.Options.from(Map.of("connections", "100,200", "conn-interval", "10,2.5",
                "conn-chunk", "4KiB"));
        assertArrayEquals(new int[] {100, 200}, o.steps());
        assertArrayEquals(new long[] {10_000, 2_500}, o.intervalsMillis());
        assertEquals(4096, o.chunkBytes());
        assertEquals("512m", o.heap());
    }

    @Test
    void stepTableShowsTheMarginalCostOfEachStep() {
        GatewayProcess.Memory base = new GatewayProcess.Memory(10L << 20, 0, 0, -1);
        // 1000 connections cost 4 MiB (4 KiB each), the next 1000 another 2 MiB (2 KiB each).
        var s1 = new ConnTables.Step(1000, new ConnLoad.Opened(1000, 0, Map.of(), 1000), 1000,
                new GatewayProcess.Memory(14L << 20, 0, 0, -1));
        var s2 = new ConnTables.Step(2000, new ConnLoad.Opened(1000, 0, Map.of(), 1000), 2000,
                new GatewayProcess.Memory(16L << 20, 0, 0, -1));
        String table = ConnTables.steps(base, List.of(s1, s2));
        assertTrue(table.contains("| 1000 | 1000 | 0 | 1000 | 14.0 | **4.1** | 4.1 |"), table);
        assertTrue(table.contains("| 2000 | 1000 | 0 | 2000 | 16.0 | **3.1** | 2.0 |"), table);
    }
}
