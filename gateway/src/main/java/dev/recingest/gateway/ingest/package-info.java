/**
 * The ingest protocol of PROTOCOL.md over WebSocket. {@link dev.recingest.gateway.ingest.IngestHandler}
 * (one per connection) owns the connection's state and runs on its event loop; it hands chunks to
 * {@link dev.recingest.gateway.ingest.ChunkWriter} (assign, store, commit) and control messages to
 * {@link dev.recingest.gateway.ingest.RecordingLifecycle} (start, stop, abort). Both are shared and
 * stateless; their futures complete on Redis or S3 threads, and the handler hops back to its event loop
 * before touching connection state. What a connection knows about the recording it owns (its start, its
 * owner epoch, the indices it has seen) is in its {@code Ownership}, which {@code Recovery} uses when
 * Redis turns out to know less (record lost, counter gone back) to restore it from storage.
 *
 * <p>Buffer ownership: the payload of a chunk frame is a retained slice; whoever holds it last
 * (the S3 put, or the code that decides to drop the chunk) releases it, exactly once.
 */
package dev.recingest.gateway.ingest;
