/**
 * HTTP on the gateway's port: {@code /healthz}, {@code /readyz} and {@code /metrics} (no token), and the
 * admin API under {@code /v1/recordings} (admin bearer token): list, get (falling back to the manifest in
 * S3 once the Redis keys expired), server-side stop, re-merge, delete and the output redirect. The routes
 * are {@link dev.recingest.gateway.http.AdminRoute}; docs/API.md and docs/openapi.yaml describe them.
 */
package dev.recingest.gateway.http;
