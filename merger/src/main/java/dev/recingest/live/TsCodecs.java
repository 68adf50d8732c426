package dev.recingest.live;

import dev.recingest.merge.MediaInfo;
import dev.recingest.merge.MediaInfo.StreamInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The codecs of an MPEG-TS recording read from its program map table (ISO/IEC 13818-1, 2.4.4), in the JVM: what a
 * live rendition needs to choose its codec plan (copy or encode each stream), without starting an ffprobe for it.
 * Every rendition used to start one ffprobe and one FFmpeg; with 100-200 recordings starting within a minute on 2
 * cores, those processes were most of the start's cost (BENCHMARKS.md, 10.1). Only the unambiguous stream types
 * are answered here: H.264 ({@code 0x1B}), HEVC ({@code 0x24}) and AAC in ADTS ({@code 0x0F}), which ffprobe names
 * {@code h264}, {@code hevc} and {@code aac}; a program with any other stream (MP3, AC-3, private data, ID3, ...),
 * tables that span packets, or a stream whose first packet is not in the bytes yet, gives no answer, and the
 * caller probes with ffprobe as before.
 */
final class TsCodecs {

    private static final int PACKET = 188;
    private static final Map<Integer, String[]> KNOWN = Map.of(
            0x1B, new String[] {"video", "h264"},
            0x24, new String[] {"video", "hevc"},
            0x0F, new String[] {"audio", "aac"});

    private TsCodecs() {
    }

    /** The streams of the first program, as ffprobe would name their codecs, or empty where it must be asked. */
    static Optional<MediaInfo> of(byte[] ts) {
        if (ts.length < PACKET || ts[0] != 0x47) {
            return Optional.empty();
        }
        int pmtPid = -1;
        Map<Integer, Integer> streams = null; // elementary PID -> stream type, in the table's order
        Set<Integer> started = new HashSet<>();
        for (int p = 0; p + PACKET <= ts.length; p += PACKET) {
            if (ts[p] != 0x47) {
                return Optional.empty(); // not packet-aligned: let ffprobe resynchronise
            }
            int pid = ((ts[p + 1] & 0x1F) << 8) | (ts[p + 2] & 0xFF);
            boolean unitStart = (ts[p + 1] & 0x40) != 0;
            int adaptation = (ts[p + 3] >> 4) & 3;
            int payload = p + 4;
            if (adaptation == 2 || adaptation == 3) {
                payload += 1 + (ts[p + 4] & 0xFF);
            }
            if (adaptation == 0 || adaptation == 2 || payload >= p + PACKET) {
                continue;
            }
            if (pid == 0 && unitStart && pmtPid < 0) {
                pmtPid = patProgramMap(ts, payload, p + PACKET);
                if (pmtPid == -2) {
                    return Optional.empty();
                }
            } else if (pid == pmtPid && unitStart && streams == null) {
                streams = programMap(ts, payload, p + PACKET);
                if (streams == null) {
                    return Optional.empty();
                }
            } else if (unitStart) {
                started.add(pid);
            }
        }
        if (streams == null || streams.isEmpty() || !started.containsAll(streams.keySet())) {
            return Optional.empty();
        }
        List<StreamInfo> out = new ArrayList<>();
        for (Map.Entry<Integer, Integer> e : streams.entrySet()) {
            String[] kind = KNOWN.get(e.getValue());
            if (kind == null) {
                return Optional.empty();
            }
            out.add(new StreamInfo(out.size(), kind[0], kind[1], null, null, null, null, null));
        }
        return Optional.of(new MediaInfo("mpegts", null, out));
    }

    /** The PID of the first program's map, -1 if none is named, -2 if the table does not fit in this packet. */
    private static int patProgramMap(byte[] ts, int payload, int end) {
        int s = payload + 1 + (ts[payload] & 0xFF); // after the pointer field
        if (s + 8 > end || ts[s] != 0x00) {
            return -2;
        }
        int sectionEnd = s + 3 + (((ts[s + 1] & 0x0F) << 8) | (ts[s + 2] & 0xFF)) - 4; // without the CRC
        if (sectionEnd > end) {
            return -2;
        }
        for (int i = s + 8; i + 4 <= sectionEnd; i += 4) {
            int program = ((ts[i] & 0xFF) << 8) | (ts[i + 1] & 0xFF);
            if (program != 0) {
                return ((ts[i + 2] & 0x1F) << 8) | (ts[i + 3] & 0xFF);
            }
        }
        return -1;
    }

    /** Elementary PID -> stream type, in order; null if the table is not whole in this packet. */
    private static Map<Integer, Integer> programMap(byte[] ts, int payload, int end) {
        int s = payload + 1 + (ts[payload] & 0xFF);
        if (s + 12 > end || ts[s] != 0x02) {
            return null;
        }
        int sectionEnd = s + 3 + (((ts[s + 1] & 0x0F) << 8) | (ts[s + 2] & 0xFF)) - 4;
        if (sectionEnd > end) {
            return null;
        }
        int i = s + 12 + (((ts[s + 10] & 0x0F) << 8) | (ts[s + 11] & 0xFF));
        Map<Integer, Integer> streams = new LinkedHashMap<>();
        while (i + 5 <= sectionEnd) {
            int type = ts[i] & 0xFF;
            int pid = ((ts[i + 1] & 0x1F) << 8) | (ts[i + 2] & 0xFF);
            streams.put(pid, type);
            i += 5 + (((ts[i + 3] & 0x0F) << 8) | (ts[i + 4] & 0xFF));
        }
        return i == sectionEnd ? streams : null;
    }
}
