/**
 * The ingest protocol of PROTOCOL.md over WebSocket. A connection's pipeline reads like the protocol
 * ({@code GatewayInitializer}): {@link dev.recingest.gateway.ingest.LimitedFrameDecoder} judges each frame by its
 * header ({@link dev.recingest.gateway.ingest.FrameLimits}), {@link dev.recingest.gateway.ingest.WebSocketGuard}
 * applies the limits, the {@code start} deadline and the connection limit,
 * {@link dev.recingest.gateway.ingest.Keepalive} pings and times out idle connections,
 * {@link dev.recingest.gateway.ingest.IngestFrameDecoder} turns frames into chunks and control messages, and
 * {@link dev.recingest.gateway.ingest.IngestHandler} (one per connection) runs the connection's phase on its event
 * loop. Whether a connection reads is its {@link dev.recingest.gateway.ingest.ReadGate}'s to say, from every reason
 * it has not to ({@code start} or {@code part} being answered, its window, the gateway's limit, closing).
 *
 * <p>The handler hands chunks to {@link dev.recingest.gateway.ingest.ChunkWriter} (assign, store, commit) and
 * control messages to {@link dev.recingest.gateway.ingest.RecordingLifecycle} (start, stop, abort) and
 * {@link dev.recingest.gateway.ingest.Parts} (part), which speak to the state store through its
 * {@code IngestLedger}. Those are shared and stateless; their futures complete on Redis or S3 threads, and the
 * handler hops back to its event loop before touching connection state. What a connection knows about the
 * recording it owns (its start, its owner epoch, the indices it has seen) is its {@code Ownership} (plain state);
 * when Redis turns out to know less (record lost, counter gone back), {@link dev.recingest.gateway.ingest.Recovery},
 * the one owner of making Redis agree with storage for a connection, restores it from storage.
 *
 * <p>Buffer ownership: the payload of a chunk frame is a retained slice held by its
 * {@code IngestFrame.Chunk}; the handler retains it for the writer, which releases it in one place when the
 * chunk is answered (the S3 put takes a reference of its own); chunks held while {@code start} or {@code part}
 * is answered are released by {@code ChunksInFlight} if the connection closes first.
 */
package dev.recingest.gateway.ingest;
