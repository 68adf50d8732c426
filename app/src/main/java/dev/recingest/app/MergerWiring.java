package dev.recingest.app;

import dev.recingest.config.Settings;
import dev.recingest.live.LiveConfig;
import dev.recingest.live.LiveOutputs;
import dev.recingest.live.LiveWorker;
import dev.recingest.merge.LiveOutput;
import dev.recingest.merge.BacklogMetrics;
import dev.recingest.merge.MergeWorker;
import dev.recingest.merge.MergerConfig;

/**
 * Starts a merge worker on a process's shared backends (it announces outcomes to the webhook outbox), the live
 * renditions ({@code RECINGEST_LIVE}: the merge publishes their MP4 when they have one), and the backlog gauges (unfinished recordings by state, the merge queue) that every merger exports.
 */
final class MergerWiring {

    private MergerWiring() {
    }

    static AutoCloseable start(Settings settings, Processes.Backends b) {
        LiveConfig live = LiveConfig.from(settings);
        LiveOutput fromLive = live.enabled() ? new LiveOutputs(live, b.store().liveIndex(), b.s3(), b.s3()) : LiveOutput.NONE;
        MergeWorker worker = MergeWorker.start(MergerConfig.from(settings), b.redis(), b.store(), b.s3(), b.registry(),
                b.events(), fromLive);
        LiveWorker renditions = LiveWorker.start(live, b.store(), b.s3(), b.s3(), b.s3(), b.events(), worker.workSpace(),
                b.registry());
        BacklogMetrics backlog = BacklogMetrics.start(b.redis(), b.registry());
        return () -> {
            backlog.close();
            renditions.close();
            worker.close();
        };
    }
}
