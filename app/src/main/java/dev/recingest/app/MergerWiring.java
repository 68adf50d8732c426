package dev.recingest.app;

import dev.recingest.config.Settings;
import dev.recingest.merge.MergeWorker;
import dev.recingest.merge.MergerConfig;

/** Starts a merge worker on a process's shared backends; it announces outcomes to the webhook outbox. */
final class MergerWiring {

    private MergerWiring() {
    }

    static MergeWorker start(Settings settings, Processes.Backends b) {
        return MergeWorker.start(MergerConfig.from(settings), b.redis(), b.store(), b.s3(), b.registry(), b.events());
    }
}
