/**
 * The wire protocol of PROTOCOL.md: control messages (JSON text frames), the binary chunk frame
 * layout, recording ids, error codes and close codes. Shared by the gateway and the client so the
 * two cannot drift apart. Nothing here does I/O.
 */
package dev.recingest.protocol;
