package dev.recingest.gateway.ingest;

import dev.recingest.gateway.GatewayConfig;

/** The shared, stateless collaborators every connection's handler uses; wired once by the server. */
public record IngestServices(GatewayConfig config, ChunkWriter writer, RecordingLifecycle lifecycle,
                             FlowControl flow, GatewayMetrics metrics) {
}
