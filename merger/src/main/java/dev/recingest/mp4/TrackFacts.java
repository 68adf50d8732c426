package dev.recingest.mp4;

import java.util.Map;

/**
 * What a track's sample entry says about it, in FFprobe's words ({@code codec_name}, width, height, sample rate,
 * channels): enough for the manifest to describe an MP4 this package wrote without probing it.
 *
 * @param codecName  FFprobe's codec name ({@code h264}, {@code hevc}, {@code vp9}, {@code av1}, {@code aac},
 *                   {@code opus}, {@code mp3}, …), or the sample entry type when unknown
 * @param width      video width, else null
 * @param height     video height, else null
 * @param sampleRate audio sample rate, else null
 * @param channels   audio channels, else null
 */
public record TrackFacts(String codecName, Integer width, Integer height, Integer sampleRate, Integer channels) {

    private static final Map<String, String> CODECS = Map.ofEntries(Map.entry("avc1", "h264"), Map.entry("avc3", "h264"),
            Map.entry("hvc1", "hevc"), Map.entry("hev1", "hevc"), Map.entry("vp09", "vp9"), Map.entry("av01", "av1"),
            Map.entry("mp4v", "mpeg4"), Map.entry("Opus", "opus"), Map.entry("fLaC", "flac"), Map.entry("ac-3", "ac3"),
            Map.entry("ec-3", "eac3"), Map.entry(".mp3", "mp3"));

    /** The facts of track {@code t} of {@code init}. */
    public static TrackFacts of(InitSegment init, int t) {
        InitSegment.Track track = init.tracks().get(t);
        byte[] b = init.bytes();
        Box stsd = track.trak().path(b, "mdia", "minf", "stbl", "stsd").orElseThrow();
        int entry = stsd.bodyStart() + 8;
        int body = entry + 8;
        String codec = CODECS.getOrDefault(track.codec(), track.codec());
        if (track.codec().equals("mp4a")) {
            codec = objectType(b, entry) == 0x6b || objectType(b, entry) == 0x69 ? "mp3" : "aac";
        }
        if (track.video()) {
            // VisualSampleEntry: 6 reserved, data_reference_index, 16 bytes pre_defined/reserved, width, height.
            return new TrackFacts(codec, Box.u16(b, body + 24), Box.u16(b, body + 26), null, null);
        }
        if (track.audio()) {
            // AudioSampleEntry: 6 reserved, data_reference_index, 8 reserved, channelcount, samplesize, 4 more,
            // samplerate (16.16).
            return new TrackFacts(codec, null, null, (int) (Box.u32(b, body + 24) >>> 16), Box.u16(b, body + 16));
        }
        return new TrackFacts(codec, null, null, null, null);
    }

    /** The objectTypeIndication of an mp4a entry's esds (0x40 AAC, 0x6b/0x69 MP3), or -1. */
    private static int objectType(byte[] b, int entryStart) {
        long entrySize = Box.u32(b, entryStart);
        int end = (int) Math.min(b.length, entryStart + entrySize);
        for (int i = entryStart + 8; i + 8 < end; i++) {
            if (b[i] == 'e' && b[i + 1] == 's' && b[i + 2] == 'd' && b[i + 3] == 's') {
                // esds full box: version/flags, then ES_Descriptor (tag 3), DecoderConfigDescriptor (tag 4).
                for (int j = i + 8; j + 2 < end; j++) {
                    if (b[j] == 0x04) {
                        int k = j + 1;
                        while (k < end && (b[k] & 0x80) != 0) {
                            k++;
                        }
                        return k + 1 < end ? b[k + 1] & 0xff : -1;
                    }
                }
            }
        }
        return -1;
    }
}
