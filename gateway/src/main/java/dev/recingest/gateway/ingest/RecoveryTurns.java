package dev.recingest.gateway.ingest;

import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One connection's turn-taking around its recoveries (state only; {@link Recovery} runs them): at most one
 * recovery at a time, and while it runs, the chunk frames' assignments wait here and are then let go one after
 * another in frame order, so that at-least-once chunks keep their arrival order across the recovery. Shared by
 * the connection's event loop and the Redis and S3 completion threads: guarded by {@code this}.
 */
final class RecoveryTurns {

    private record Waiting(long frame, Consumer<Throwable> task) {
    }

    /** Made on the first wait: only a recovery uses it, and an idle connection should cost little heap. */
    private PriorityQueue<Waiting> waiting;
    private CompletableFuture<Void> running;
    private long generation;

    /** Changes whenever a recovery starts: an assignment issued under an older generation is suspect. */
    synchronized long generation() {
        return generation;
    }

    /**
     * Runs {@code task} (with null) now, or, while a recovery runs, once it ends (with its failure, or null),
     * after every waiting task of an earlier frame.
     */
    void whenSettled(long frame, Consumer<Throwable> task) {
        synchronized (this) {
            if (running != null) {
                if (waiting == null) {
                    waiting = new PriorityQueue<>(Comparator.comparingLong(Waiting::frame));
                }
                waiting.add(new Waiting(frame, task));
                return;
            }
        }
        task.accept(null);
    }

    /**
     * The recovery running now, if any; otherwise null after making {@code mine} the running one (the caller then
     * runs it and calls {@link #end}).
     */
    synchronized CompletableFuture<Void> joinOrBegin(CompletableFuture<Void> mine) {
        if (running != null) {
            return running;
        }
        generation++;
        running = mine;
        return null;
    }

    /**
     * The running recovery ended (with {@code error}, or null): the waiting tasks run now, in frame order, under
     * this lock, so that a frame arriving meanwhile queues behind them.
     */
    synchronized void end(Throwable error) {
        while (waiting != null && !waiting.isEmpty()) {
            waiting.poll().task().accept(error);
        }
        running = null;
    }
}
