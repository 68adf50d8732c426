package dev.recingest.app;

import dev.recingest.config.Settings;
import dev.recingest.merge.BacklogMetrics;
import dev.recingest.merge.MergeWorker;
import dev.recingest.merge.MergerConfig;

/**
 * Starts a merge worker on a process's shared backends (it announces outcomes to the webhook outbox), and
 * the backlog gauges (unfinished recordings by state, the merge queue) that every merger exports.
 */
final class MergerWiring {

    private MergerWiring() {
    }

    static AutoCloseable start(Settings settings, Processes.Backends b) {
        MergeWorker worker = MergeWorker.start(MergerConfig.from(settings), b.redis(), b.store(), b.s3(), b.registry(),
                b.events());
        BacklogMetrics backlog = BacklogMetrics.start(b.redis(), b.registry());
        return () -> {
            backlog.close();
            worker.close();
        };
    }
}
