/**
 * The janitor: recordings that no chunk reaches become STALLED after the stall timeout and are
 * auto-stopped (and merged) after the idle timeout; a STOPPED recording whose merge job was lost
 * between the stop and the queue gets it queued again. Every gateway runs a
 * {@link dev.recingest.gateway.janitor.Janitor}; a Redis lock lets one sweep at a time. It finds its
 * candidates in the open-recordings index of {@link dev.recingest.state.OpenRecordings}, never by
 * scanning every recording, and never touches the per-chunk path.
 */
package dev.recingest.gateway.janitor;
