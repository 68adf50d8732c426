package dev.recingest.client;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single thread that owns an {@link IngestClient}'s state. Confining state to one thread keeps the
 * protocol logic free of locks; callers only hand it tasks. Tasks that arrive after the client is
 * finished are dropped (the thread is gone), and a task that throws is logged, not lost silently.
 */
final class EventLoop {

    private static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);
    private static final AtomicInteger COUNT = new AtomicInteger();

    private EventLoop() {
    }

    static ScheduledExecutorService create() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "recingest-client-" + COUNT.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    static boolean execute(ScheduledExecutorService loop, Runnable task) {
        try {
            loop.execute(guarded(task));
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    static ScheduledFuture<?> schedule(ScheduledExecutorService loop, Runnable task, Duration delay) {
        try {
            return loop.schedule(guarded(task), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    static void every(ScheduledExecutorService loop, Runnable task, Duration period) {
        try {
            loop.scheduleWithFixedDelay(guarded(task), period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the client is already finished
        }
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                LOG.atError().setCause(e).log("client event task failed");
            }
        };
    }
}
