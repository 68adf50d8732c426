package dev.recingest.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Bounded waits: a test waits for an outcome as long as a slow machine needs, and fails saying what it waited for. */
public final class Waits {

    private Waits() {
    }

    /** Polls {@code condition} every 20 ms until it holds; fails after {@code limit}. */
    public static void until(BooleanSupplier condition, Duration limit, String what) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + limit + " waiting until " + what);
            }
            Thread.sleep(20);
        }
    }
}
