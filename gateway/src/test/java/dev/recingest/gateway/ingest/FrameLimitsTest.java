package dev.recingest.gateway.ingest;

import static dev.recingest.gateway.ingest.FrameLimits.BINARY;
import static dev.recingest.gateway.ingest.FrameLimits.CONTINUATION;
import static dev.recingest.gateway.ingest.FrameLimits.PING;
import static dev.recingest.gateway.ingest.FrameLimits.PONG;
import static dev.recingest.gateway.ingest.FrameLimits.TEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.gateway.GatewayConfig;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FrameLimitsTest {

    private static final long SECOND = 1_000_000_000L;
    private static final int TEXT_LIMIT = 64 << 10;
    private static final int CHUNK_LIMIT = 1 << 20;

    private static GatewayConfig config() {
        return GatewayConfig.defaults().authEnabled(false).maxChunkBytes(CHUNK_LIMIT).windowBytes(4 << 20)
                .maxChunksPerSecond(5).chunkBurst(10).maxControlPerSecond(2).controlBurst(4)
                .pingInterval(Duration.ofSeconds(20)).startTimeout(Duration.ofSeconds(10)).build();
    }

    private static FrameLimits limits(PreStartBudget budget) {
        return new FrameLimits(config(), budget, 0);
    }

    private static void assertRefused(ErrorCode code, IngestException e) {
        assertTrue(e != null, "refused");
        assertEquals(code, e.code(), e.getMessage());
    }

    @Test
    void beforeStartABinaryFrameIsRefusedAtItsHeaderWhateverItsSize() {
        FrameLimits l = limits(new PreStartBudget(1 << 20));
        IngestException e = l.check(BINARY, true, 8 << 20, false, 0);
        assertRefused(ErrorCode.BAD_REQUEST, e);
        assertEquals("chunk before start", e.getMessage());
        l.startReceived();
        assertNull(l.check(BINARY, true, 100, true, 0), "after start a chunk is welcome");
    }

    @Test
    void textOverTheLimitIsRefusedAtItsHeaderAlsoWhenFragmented() {
        FrameLimits l = limits(new PreStartBudget(1 << 20));
        assertRefused(ErrorCode.FRAME_TOO_BIG, l.check(TEXT, true, TEXT_LIMIT + 1, false, 0));
        FrameLimits f = limits(new PreStartBudget(1 << 20));
        assertNull(f.check(TEXT, false, 40 << 10, true, 0));
        f.decoded(TEXT, false);
        assertRefused(ErrorCode.FRAME_TOO_BIG, f.check(CONTINUATION, true, 40 << 10, false, 0));
    }

    @Test
    void aChunkOverTheMaxSizeIsRefusedAlsoWhenFragmented() {
        FrameLimits l = limits(new PreStartBudget(1 << 20));
        l.startReceived();
        assertRefused(ErrorCode.FRAME_TOO_BIG, l.check(BINARY, true, CHUNK_LIMIT + 10, false, 0));
        assertNull(l.check(BINARY, false, CHUNK_LIMIT, false, 0));
        l.decoded(BINARY, false);
        assertRefused(ErrorCode.FRAME_TOO_BIG, l.check(CONTINUATION, true, 10, false, 0));
    }

    @Test
    void aStartStillArrivingBeforeStartIsHeldWithinTheGatewaysBudget() {
        PreStartBudget budget = new PreStartBudget(100 << 10);
        FrameLimits a = limits(budget);
        FrameLimits b = limits(budget);
        FrameLimits c = limits(budget);
        assertNull(a.check(TEXT, true, 60 << 10, false, 0));
        assertEquals(60 << 10, budget.used());
        // A start that is all here is decoded at once: it holds nothing across reads, so it needs no room.
        assertNull(b.check(TEXT, true, 60 << 10, true, 0));
        assertEquals(60 << 10, budget.used());
        IngestException over = c.check(TEXT, true, 60 << 10, false, 0);
        assertRefused(ErrorCode.RATE_LIMITED, over);
        a.decoded(TEXT, true);
        assertEquals(0, budget.used(), "a message passed on frees its room");
        FrameLimits d = limits(budget);
        assertNull(d.check(TEXT, true, 60 << 10, false, 0));
        d.release();
        assertEquals(0, budget.used(), "a connection that goes away frees its room");
    }

    @Test
    void afterStartNothingIsCountedAgainstThePreStartBudget() {
        PreStartBudget budget = new PreStartBudget(64 << 10);
        FrameLimits l = limits(budget);
        l.startReceived();
        assertNull(l.check(TEXT, true, 60 << 10, false, 0));
        assertEquals(0, budget.used());
    }

    @Test
    void controlMessagesAreRateLimitedLikeChunks() {
        FrameLimits l = limits(new PreStartBudget(1 << 20));
        l.startReceived();
        for (int i = 0; i < 4; i++) {
            assertNull(l.check(TEXT, true, 20, true, 0), "message " + i + " of the burst");
            l.decoded(TEXT, true);
        }
        IngestException e = l.check(TEXT, true, 20, true, 0);
        assertRefused(ErrorCode.RATE_LIMITED, e);
        assertEquals("over 2 control messages per second (burst 4)", e.getMessage());
        assertNull(l.check(TEXT, true, 20, true, SECOND), "a second later two more may come");
    }

    @Test
    void chunksKeepTheirOwnRate() {
        FrameLimits l = limits(new PreStartBudget(1 << 20));
        l.startReceived();
        for (int i = 0; i < 10; i++) {
            assertNull(l.check(BINARY, true, 100, true, 0));
            l.decoded(BINARY, true);
        }
        IngestException e = l.check(BINARY, true, 100, true, 0);
        assertRefused(ErrorCode.RATE_LIMITED, e);
        assertEquals("over 5 chunks per second (burst 10)", e.getMessage());
    }

    @Test
    void pingsAndPongsHaveABucketOfTheirOwn() {
        FrameLimits l = limits(new PreStartBudget(1 << 20));
        for (int i = 0; i < 4; i++) {
            assertNull(l.check(i % 2 == 0 ? PING : PONG, true, 0, true, 0));
        }
        assertRefused(ErrorCode.RATE_LIMITED, l.check(PING, true, 0, true, 0));
        assertNull(l.check(TEXT, true, 20, true, 0), "pings did not use up the control messages");
        // Answering the gateway's pings (one per 20 s) is far within 2 per second.
        FrameLimits steady = limits(new PreStartBudget(1 << 20));
        for (int i = 1; i <= 1000; i++) {
            assertNull(steady.check(PONG, true, 0, true, i * 20 * SECOND));
        }
    }

    @Test
    void theStartDeadlineCountsFromTheUpgradeAndAgainAfterARetryableStart() {
        FrameLimits l = limits(new PreStartBudget(1 << 20));
        AtomicInteger rearmed = new AtomicInteger();
        l.onAwaitStart(rearmed::incrementAndGet);
        l.upgraded(5 * SECOND);
        assertEquals(10 * SECOND, l.nanosUntilStartDue(5 * SECOND));
        assertTrue(l.awaitingStart());
        l.startReceived();
        assertTrue(!l.awaitingStart());
        l.awaitStartAgain(30 * SECOND);
        assertTrue(l.awaitingStart());
        assertEquals(1, rearmed.get(), "the deadline's watcher is told");
        assertEquals(10 * SECOND, l.nanosUntilStartDue(30 * SECOND));
        assertRefused(ErrorCode.BAD_REQUEST, l.check(BINARY, true, 10, true, 30 * SECOND));
    }
}
