package dev.recingest.mp4;

/**
 * One sample (a video frame, an audio frame) of a track, with its bytes.
 *
 * @param track    index of the track in {@link InitSegment#tracks()}
 * @param dts      decode time, in the track's timescale
 * @param duration in the track's timescale; until the track's next sample is seen it is what the fragment
 *                 said, which FFmpeg may only have guessed
 * @param cto      composition time offset (presentation time minus decode time)
 * @param sync     a sync sample (a key frame; every audio frame is one)
 * @param data     the array holding the sample's bytes
 * @param offset   where they start in {@code data}
 * @param length   how many there are
 */
public record Sample(int track, long dts, long duration, int cto, boolean sync, byte[] data, int offset, int length) {

    public Sample withDuration(long d) {
        return new Sample(track, dts, d, cto, sync, data, offset, length);
    }
}
