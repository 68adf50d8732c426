package dev.recingest.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The merge section's arithmetic: phases read from the merger's log lines, ratios, and the verdicts. */
class MergeRowTest {

    @Test
    void phasesComeFromTheMergersLogLinesOfThatRecording() {
        List<String> log = List.of(
                "2026-11-22T06:57:46.496Z level=INFO logger=MergePipeline thread=merge-worker-0 merge joined recording=other outputBytes=1 durationMs=99000",
                "2026-11-22T06:57:46.496Z level=INFO logger=MergePipeline thread=merge-worker-0 merge joined recording=r1 outputBytes=588336868 durationMs=20330",
                "2026-11-22T06:57:53.586Z level=INFO logger=OutputPublisher thread=merge-worker-0 output uploaded recording=r1 outputBytes=588336868 durationMs=6575",
                "2026-11-22T06:57:54.001Z level=INFO logger=MergePublication thread=merge-worker-0 merge completed recording=r1 attempt=1 chunks=3600 voids=0 bytes=626633328 outputBytes=588336868 outputSeconds=3600.118 codecs=\"video h264->copy\" durationMs=32400");
        MergeLog.Phases p = MergeLog.phases(log, "r1");
        assertEquals(20.33, p.join());
        assertEquals(6.575, p.upload());
        assertEquals(32.4, p.total());
        assertTrue(Double.isNaN(MergeLog.phases(log, "r").join()), "r is not a prefix match of r1");
    }

    @Test
    void ratiosAndVerdicts() {
        MergeRow fast = new MergeRow("segments", 360, 600L << 20, 3600.1, 3600.1, 4.0, 5.0, 100L << 20,
                new MergeLog.Phases(3, 1.5, 5), new S3Floor.Result(0.5, 0.5));
        MergeRow slow = new MergeRow("stream", 3600, 600L << 20, 3600.1, 3600.1, 2.0, 30.0, 200L << 20,
                new MergeLog.Phases(20, 7, 30), new S3Floor.Result(12, 4));
        assertEquals(1.25, fast.ratio(), 1e-9);
        String table = MergeRow.table(List.of(fast, slow));
        assertTrue(table.contains("| stream | 3600 | 600 | 3600.10 / 3600.10 | 2.0 | 30.0 | **15.00** | 20.0 / 7.0 / 3.0 | 12.0 / 4.0 | 1.67 | 200 |"), table);
        assertTrue(table.contains("segments: met (1.25)"), table);
        assertTrue(table.contains("stream: missed (15.00)"), table);
    }
}
