package dev.recingest.gateway.ingest;

import dev.recingest.durable.Reconciler;
import dev.recingest.gateway.GatewayConfig;

/**
 * The shared, stateless collaborators every connection's handler uses; wired once by the server.
 *
 * @param reconciler the one owner of making Redis agree with storage, which the writer's recoveries and the
 *                   lifecycle's start, stop and abort go through
 */
public record IngestServices(GatewayConfig config, ChunkWriter writer, RecordingLifecycle lifecycle,
                             FlowControl flow, GatewayMetrics metrics, Reconciler reconciler) {
}
