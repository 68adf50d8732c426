/**
 * The recorder agent for live sources: an RTP stream described by an SDP file (what a mediasoup
 * {@code PlainTransport} sends), an RTSP camera, a live HLS playlist, an SRT stream or a file. For each
 * recording, FFmpeg reads the source and cuts it into segments ({@link dev.recingest.agent.SegmentPlan})
 * in a crash-consistent {@link dev.recingest.agent.Spool}; an {@link dev.recingest.agent.Uploader}
 * sends every finished segment as one chunk in {@code segments} mode with explicit seqs and deletes it
 * from the spool only once it is acked; a {@link dev.recingest.agent.LiveRecorder} supervises
 * FFmpeg (stall detection, reconnects with backoff, a new part per FFmpeg run, stop on SIGTERM, on the
 * maximum duration or when the source is gone for good). {@link dev.recingest.agent.RecorderAgent}
 * runs several recordings in one process.
 *
 * <p>Files under the spool folder, per recording ({@code <spool>/<recordingId>/}): {@code seq-<seq>.<ext>}
 * (a finished segment with the seq it is sent with, until acked), {@code plan} (the container and codecs
 * chosen for the recording), {@code runs/<n>/} (one FFmpeg run: its segments as FFmpeg writes them, its
 * segment list and its process id).
 */
package dev.recingest.agent;
