/**
 * FFmpeg for this project: where the {@code ffmpeg} program is ({@link dev.recingest.media.FfmpegBinaries}:
 * installed, or the bundled static build) and how media is probed ({@link dev.recingest.media.MediaProber}:
 * the {@code ffprobe} program, or libavformat in the JVM where there is none). See {@code docs/FFMPEG.md}.
 */
package dev.recingest.media;
