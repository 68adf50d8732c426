/**
 * ISO base media files (MP4) at the level of boxes and samples, for the live rendition: reading the
 * fragmented MP4 that FFmpeg writes to a pipe ({@link dev.recingest.mp4.FragmentReader}), cutting its samples
 * into segments at key frames ({@link dev.recingest.mp4.Segmenter}), writing each segment as a CMAF
 * fragment for HLS ({@link dev.recingest.mp4.CmafWriter}), and, from the sample tables kept on the way
 * ({@link dev.recingest.mp4.SampleTables}), the {@code moov} of a progressive MP4 whose media data are those
 * segments' payloads laid end to end ({@link dev.recingest.mp4.Faststart}).
 *
 * <p>Hand-written rather than a library: the boxes needed are few ({@code moov}, {@code moof} and the
 * sample tables), they are read and written incrementally as a recording goes on, and the one Java MP4
 * library (mp4parser) builds whole-file object trees and is no longer maintained. Nothing here touches
 * storage, Redis or processes.
 */
package dev.recingest.mp4;
