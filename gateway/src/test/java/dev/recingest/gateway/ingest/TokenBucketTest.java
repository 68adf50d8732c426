package dev.recingest.gateway.ingest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void theBurstPassesAtOnceThenTheRateRefillsIt() {
        TokenBucket limit = new TokenBucket(5, 10, 0);
        for (int i = 0; i < 10; i++) {
            assertTrue(limit.tryTake(0), "frame " + i + " of the burst");
        }
        assertFalse(limit.tryTake(0), "the 11th at once is over");
        assertFalse(limit.tryTake(SECOND / 10), "a tenth of a second refills half a frame");
        assertTrue(limit.tryTake(SECOND / 5), "a fifth of a second refills one");
        assertFalse(limit.tryTake(SECOND / 5));
    }

    @Test
    void aLongPauseRefillsNoMoreThanTheBurst() {
        TokenBucket limit = new TokenBucket(5, 10, 0);
        long now = 3600 * SECOND;
        for (int i = 0; i < 10; i++) {
            assertTrue(limit.tryTake(now));
        }
        assertFalse(limit.tryTake(now));
    }

    @Test
    void aSteadyRateAtTheLimitIsNeverRefused() {
        TokenBucket limit = new TokenBucket(100, 1, 0);
        for (int i = 1; i <= 10_000; i++) {
            assertTrue(limit.tryTake(i * SECOND / 100), "frame " + i);
        }
    }

    @Test
    void zeroMeansNoLimit() {
        TokenBucket limit = new TokenBucket(0, 0, 0);
        for (int i = 0; i < 100_000; i++) {
            assertTrue(limit.tryTake(0));
        }
    }
}
