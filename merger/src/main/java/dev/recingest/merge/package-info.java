/**
 * The merge worker: turns a stopped recording's chunks into one seekable MP4.
 *
 * <p>The path of a job: {@link dev.recingest.merge.MergeWorker} takes it from the Redis merge queue with a
 * {@link dev.recingest.merge.Lease} (the queue entry and, once admitted, the recording; renewed in one place) and
 * hands it to {@link dev.recingest.merge.RecordingMerger}, which runs it through {@code MergeAdmission} (STOPPED →
 * MERGING, the attempt's number and id), {@code ContiguityCheck} (Redis and object storage agree on every chunk
 * 0..N-1), {@code MergePipeline} (FFmpeg over the chunks, streamed from storage with a bounded prefetch, never held
 * whole in memory, read only as the demuxer the content type names: {@code InputFormat}; joined by the
 * {@code JoinStrategy} chosen for them, {@code ByteStreamJoin} or {@code ConcatJoin}, and {@code PartsJoin} for
 * parts) and {@code MergePublication} ({@code OutputPublisher} publishes the MP4 and {@code manifest.json} if the
 * attempt still owns the recording: MERGING → COMPLETED); or {@code FailureOutcome} (a retry, or FAILED).
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
