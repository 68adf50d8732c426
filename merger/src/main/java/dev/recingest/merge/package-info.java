/**
 * The merge worker: turns a stopped recording's chunks into one seekable MP4.
 *
 * <p>{@link dev.recingest.merge.MergeWorker} takes jobs from the Redis merge queue and hands each to
 * {@link dev.recingest.merge.RecordingMerger}, which drives the recording's state (STOPPED → MERGING →
 * COMPLETED or FAILED), checks that Redis and object storage agree on every chunk 0..N-1
 * ({@code ContiguityCheck}), has {@code MergePipeline} run FFmpeg over the chunks (streamed from storage
 * with a bounded prefetch, never held whole in memory, read only as the demuxer the content type names:
 * {@code InputFormat}), and has {@code OutputPublisher} publish the MP4 and {@code manifest.json} if the
 * attempt still owns the recording.
 * An outcome is then announced (recording.completed / recording.failed, into the webhook outbox) and
 * the recording's Redis keys set to expire ({@code Conclusion}), before the job is acked.
 *
 * <p>Reads and writes: Redis {@code rec:{id}:meta/stored/void} and the stream {@code recingest:merge-jobs}
 * (group {@code mergers}: XREADGROUP, XAUTOCLAIM, XCLAIM to renew a lease, XACK, XDEL, and XINFO CONSUMERS
 * with XGROUP DELCONSUMER for consumers of dead mergers); object storage {@code {prefix}{id}/chunks/*}
 * (list, get; delete when chunks are not kept), and {@code {prefix}{id}/recording.mp4} (multipart upload,
 * completed or aborted after the ownership check; deleted if the recording was deleted meanwhile) and
 * {@code {prefix}{id}/manifest.json} (put). Local disk ({@code WorkSpace}): a folder per merger process under
 * the work directory, locked for the process's life, with one folder per attempt for the output MP4 (and,
 * for MP4 segments only, the segment files the concat demuxer reads), deleted when the attempt ends; the
 * folders of merger processes that died are deleted by the others.
 */
package dev.recingest.merge;
