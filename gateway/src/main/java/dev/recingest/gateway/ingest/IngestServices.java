package dev.recingest.gateway.ingest;

import dev.recingest.durable.Reconciler;
import dev.recingest.gateway.GatewayConfig;

/**
 * The shared, stateless collaborators every connection's handler uses; wired once by the server.
 *
 * @param reconciler the one owner of making Redis agree with storage, which the writer's recoveries and the
 *                   lifecycle's start, stop and abort go through
 * @param parts      the {@code part} message
 */
public record IngestServices(GatewayConfig config, ChunkWriter writer, RecordingLifecycle lifecycle, Parts parts,
                             FlowControl flow, GatewayMetrics metrics, Reconciler reconciler) {
}
