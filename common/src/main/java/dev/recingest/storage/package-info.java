/**
 * Object storage, the durable record. The protocol and merge code reach it only through the narrow
 * {@link dev.recingest.storage.ChunkStore} and {@link dev.recingest.storage.OutputStore} interfaces;
 * {@link dev.recingest.storage.S3Store} implements both with the AWS SDK v2 async client.
 *
 * <p>Keys (PROTOCOL.md, storage layout), under the configured prefix:
 * {@code {prefix}{id}/chunks/{index:010d}}, {@code {prefix}{id}/recording.mp4},
 * {@code {prefix}{id}/manifest.json}. Permissions needed on the bucket: s3:PutObject, s3:GetObject,
 * s3:ListBucket (prefix-scoped), s3:DeleteObject, s3:AbortMultipartUpload; s3:CreateBucket only for the
 * embedded setup. Outputs are uploaded as multipart uploads that the merger completes only once it knows it
 * still owns the recording ({@link dev.recingest.storage.OutputStore#stageFile}); a bucket lifecycle rule
 * that aborts incomplete multipart uploads after a day reclaims those of mergers killed in between.
 *
 * <p>Every S3 call runs inside an explicit retry budget ({@link dev.recingest.config.S3Config}: attempts,
 * a timeout per attempt and per call), after which its future fails with STORAGE_UNAVAILABLE. Chunk PUTs
 * are not conditional ({@code If-None-Match} is ignored by s3proxy); the gateway never stores a different
 * chunk at an index that may already hold one.
 */
package dev.recingest.storage;
