package dev.recingest.gateway.ingest;

import dev.recingest.protocol.IngestException;

/**
 * Event for a connection's {@link IngestHandler}: a guard in front of it refused the connection (a frame
 * over a limit, no {@code start} in time); the handler answers with the error and its close code.
 */
record ConnectionRefused(IngestException reason) {
}
