package dev.recingest.gateway.ingest;

import dev.recingest.gateway.GatewayConfig;

/**
 * The shared, stateless collaborators every connection's handler uses; wired once by the server.
 *
 * @param writer     a chunk's way from its frame to storage and Redis, and its answer
 * @param lifecycle  the {@code start}, {@code stop} and {@code abort} messages
 * @param parts      the {@code part} message
 * @param recovery   the one owner of making Redis agree with storage for a connection's recording, which the
 *                   writer, the lifecycle and parts go through (they hold it; a handler never calls it)
 */
public record IngestServices(GatewayConfig config, ChunkWriter writer, RecordingLifecycle lifecycle, Parts parts,
                             Recovery recovery, FlowControl flow, GatewayMetrics metrics) {
}
