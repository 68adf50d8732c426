/**
 * The wire protocol of PROTOCOL.md: control messages (JSON text frames), the binary chunk frame
 * layout, recording ids, error codes and close codes, and the error model ({@link dev.recingest.protocol.ErrorCode},
 * {@link dev.recingest.protocol.IngestException}). Its own module ({@code recingest-protocol}, Jackson only) so
 * that the gateway, the merger and the clients share it and a client carries none of the server. Nothing here
 * does I/O.
 */
package dev.recingest.protocol;
