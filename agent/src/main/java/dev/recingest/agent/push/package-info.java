/**
 * The recorder agent's "push a file" job, built from stages: a {@link dev.recingest.agent.push.ChunkSource}
 * turns a local media file into chunks (byte ranges for {@code stream} mode, MPEG-TS segments cut by
 * FFmpeg for {@code segments} mode), an {@link dev.recingest.client.IngestClient} delivers them, and the
 * {@link dev.recingest.client.admin.AdminClient} waits for the merge. Segment files live in a temporary
 * directory that is deleted when the push ends.
 */
package dev.recingest.agent.push;
