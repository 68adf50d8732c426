/**
 * The merge worker: turns a stopped recording's chunks into one seekable MP4.
 *
 * <p>{@link dev.recingest.merge.MergeWorker} takes jobs from the Redis merge queue and hands each to
 * {@link dev.recingest.merge.RecordingMerger}, which drives the recording's state (STOPPED → MERGING →
 * COMPLETED or FAILED), checks that Redis and object storage agree on every chunk 0..N-1
 * ({@code ContiguityCheck}), has {@code MergePipeline} run FFmpeg over the chunks (streamed from storage
 * with a bounded prefetch, never held whole in memory), and publishes the MP4 and {@code manifest.json}.
 * An outcome is then announced (recording.completed / recording.failed, into the webhook outbox) and
 * the recording's Redis keys set to expire ({@code Conclusion}), before the job is acked.
 *
 * <p>Reads and writes: Redis {@code rec:{id}:meta/stored/void} and the stream {@code recingest:merge-jobs}
 * (group {@code mergers}: XREADGROUP, XAUTOCLAIM, XCLAIM to renew a lease, XACK, XDEL); object storage
 * {@code {prefix}{id}/chunks/*} (list, get; delete when chunks are not kept), and
 * {@code {prefix}{id}/recording.mp4} (multipart upload) and {@code {prefix}{id}/manifest.json} (put).
 * Local disk: one directory per attempt under the work directory for the output MP4 (and, for MP4
 * segments only, the segment files the concat demuxer reads), deleted when the attempt ends.
 */
package dev.recingest.merge;
