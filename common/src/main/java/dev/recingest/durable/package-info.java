/**
 * Storage is what was acked; Redis is the hot state and may lose its latest writes. This package keeps the
 * two in agreement, in both directions, for every path that resumes, ends or re-merges a recording:
 * {@link dev.recingest.durable.Reconciler} makes Redis agree with storage (chunk objects Redis lost, and an end
 * of the recording storage records that Redis lost: a stop, an outcome, an abort or delete), and
 * {@link dev.recingest.durable.Endings} records every end in storage ({@link dev.recingest.durable.EndLedger})
 * before anyone is told of it, then does what follows (the merge job, webhooks, expiry).
 *
 * <p>Objects, next to the chunks (see {@link dev.recingest.storage.ObjectKeys}): {@code manifest.json},
 * written with state STOPPED when a recording stops, FAILED when it fails, and by the merger with COMPLETED;
 * {@code tombstone.json} when it is aborted or deleted. Either one means the id is never opened again.
 * {@code parts/<firstSeq>-<startedAt>} ({@link dev.recingest.durable.PartLedger}) for every part boundary, written
 * before Redis records it.
 * Permissions: s3:GetObject, s3:PutObject and s3:ListBucket (prefix-scoped) on the recordings' prefix.
 */
package dev.recingest.durable;
