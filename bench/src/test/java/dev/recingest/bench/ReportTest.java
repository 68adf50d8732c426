package dev.recingest.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The suite's arithmetic and outputs, without running a benchmark (fast: no servers). */
class ReportTest {

    @Test
    void percentilesUseNearestRank() {
        long[] sorted = new long[1000];
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = (i + 1) * 1_000_000L; // 1..1000 ms
        }
        assertEquals(500.0, Stats.percentileMillis(sorted, 0.50));
        assertEquals(990.0, Stats.percentileMillis(sorted, 0.99));
        assertEquals(999.0, Stats.percentileMillis(sorted, 0.999));
        assertTrue(Double.isNaN(Stats.percentileMillis(new long[0], 0.5)));
    }

    @Test
    void sizesParseAndPrint() {
        assertEquals(65536, Main.bytes("64KiB"));
        assertEquals(1 << 20, Main.bytes("1MiB"));
        assertEquals("256 KiB", Report.size(256 << 10));
        assertEquals("1 MiB", Report.size(1 << 20));
    }

    @Test
    void redisCostCountsScriptInternalCommandsButNotAsRoundTrips() {
        var before = new RedisProbe.Snapshot(Map.of("evalsha", 10L, "hset", 10L, "info", 1L), 1.0, 0);
        var after = new RedisProbe.Snapshot(Map.of("evalsha", 210L, "hset", 310L, "info", 9L), 1.5, 1_000_000_000L);
        RedisProbe.Cost cost = RedisProbe.cost(before, after, 100);
        assertEquals(2.0, cost.roundTripsPerChunk(), 1e-9);
        assertEquals(5.0, cost.commandsPerChunk(), 1e-9);
        assertEquals(0.5, cost.cpuShareOfOneCore(), 1e-9);
    }

    @Test
    void tableShowsTheRatioAndThePlotIsAPng(@TempDir Path dir) throws Exception {
        var cost = new RedisProbe.Cost(Map.of("evalsha", 2.0), 2.0, 0.1);
        List<Throughput.Cell> cells = List.of(
                new Throughput.Cell(1, 256 << 10, new Throughput.Side(40, 160, 0, 0, 20), new Throughput.Side(100, 400, 0, 0, 10), cost),
                new Throughput.Cell(16, 256 << 10, new Throughput.Side(90, 360, 0, 0, 15), new Throughput.Side(120, 480, 0, 0, 12), cost));
        String table = Report.throughput(cells);
        assertTrue(table.contains("| 1 | 256 KiB | 40.0 | 160 | 100.0 | 400 | **0.40** |"), table);
        assertTrue(table.contains("**0.75**"), table);
        Path png = dir.resolve("t.png");
        Chart.throughput(cells, "test", png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(900, image.getWidth());
    }
}
