/**
 * Lifecycle events of recordings ({@code recording.started}, {@code .stalled}, {@code .stopped},
 * {@code .completed}, {@code .failed}) and the outbox they go to. Whoever causes a state change announces
 * it through {@link dev.recingest.events.EventPublisher}: the gateway on start and stop, the merger on
 * completed and failed, the janitor on stalled and auto-stop. Publishing appends one entry to a Redis
 * Stream and never blocks or fails the caller; the webhook module delivers the entries.
 *
 * <p>Redis: the stream {@code recingest:webhook-events} (XADD with an approximate MAXLEN; one consumer
 * group per webhook URL reads it), and HGETALL of {@code rec:{id}:meta} to describe the recording.
 */
package dev.recingest.events;
