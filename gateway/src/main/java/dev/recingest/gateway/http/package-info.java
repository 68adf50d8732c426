/**
 * HTTP on the gateway's port: {@code /healthz}, {@code /readyz} and {@code /metrics} (no token), and the
 * admin API under {@code /v1/recordings} (admin bearer token). See docs/API.md.
 */
package dev.recingest.gateway.http;
