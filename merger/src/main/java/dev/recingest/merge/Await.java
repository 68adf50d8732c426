package dev.recingest.merge;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting for a Redis or storage call from a merge thread. */
public final class Await {

    private Await() {
    }

    /** Waits for a store call; its failure becomes a MergeFailure (storage errors keep their meaning). */
    public static <T> T within(CompletableFuture<T> f, Duration limit) throws InterruptedException {
        try {
            return f.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw MergeFailure.from(e.getCause());
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new MergeFailure(MergeError.INTERNAL, "no answer within " + limit, e);
        }
    }
}
