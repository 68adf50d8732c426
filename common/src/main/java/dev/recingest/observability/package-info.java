/** Metrics (Micrometer, Prometheus naming) shared by gateway and merger. */
package dev.recingest.observability;
