/**
 * The gateway process: configuration, the Netty server and its pipeline, and graceful drain. The
 * WebSocket protocol lives in {@code ingest}, the HTTP endpoints in {@code http}.
 */
package dev.recingest.gateway;
