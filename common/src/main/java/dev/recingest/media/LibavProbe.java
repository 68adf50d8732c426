package dev.recingest.media;

import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.av_find_input_format;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avformat.avio_size;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_get_media_type_string;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recingest.protocol.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOInterruptCB;
import org.bytedeco.ffmpeg.avformat.AVInputFormat;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * FFprobe's answer computed inside the JVM by libavformat, through the org.bytedeco FFmpeg artifact's JNI
 * bindings (the same {@code avformat_open_input} and {@code avformat_find_stream_info} that the
 * {@code ffprobe} program calls, then the same fields it prints). The fallback where no {@code ffprobe}
 * is installed: only libavutil, libswresample, libavcodec and libavformat are loaded, which need nothing
 * but glibc and libstdc++ ({@code libavdevice}, which needs PulseAudio, ALSA and XCB, is never touched).
 *
 * <p>Only local files are read ({@code protocol_whitelist=file}), with the demuxer the caller names, so a
 * playlist cannot make the probe open a URL. A probe stops when its timeout passes or its thread is interrupted (libavformat's
 * interrupt callback). Parsing happens in this process: a demuxer bug triggered by a hostile file would
 * hit the JVM, which is why production installs FFmpeg and uses {@link FfprobeProcess}.
 */
public final class LibavProbe implements MediaProber {

    private static final LibavProbe INSTANCE = new LibavProbe();
    /** Deadlines (System.nanoTime) of running probes, by the address of their interrupt callback's opaque. */
    private static final Map<Long, Long> DEADLINES = new ConcurrentHashMap<>();
    private static volatile AVIOInterruptCB.Callback_Pointer interrupt;

    private LibavProbe() {
    }

    /** The one instance; the native libraries load (and are extracted to the JavaCPP cache) on first use. */
    public static LibavProbe get() {
        return INSTANCE;
    }

    @Override
    public JsonNode probe(Path file, String demuxer, Duration timeout) throws ProbeException, InterruptedException {
        return open("file:" + file.toAbsolutePath(), demuxer, file.getFileName().toString(), timeout);
    }

    @Override
    public JsonNode probe(byte[] data, String demuxer, Duration timeout) throws ProbeException, InterruptedException {
        Path tmp;
        try {
            tmp = Files.createTempFile("recingest-probe-", ".bin");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Files.write(tmp, data);
            return open("file:" + tmp, demuxer, data.length + " bytes", timeout);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a temporary file; the OS cleans its tmp folder
            }
        }
    }

    private static JsonNode open(String url, String demuxer, String input, Duration timeout)
            throws ProbeException, InterruptedException {
        String what = demuxer == null ? input : input + " as " + demuxer;
        AVInputFormat format = null;
        if (demuxer != null) {
            format = av_find_input_format(demuxer);
            if (format == null || format.isNull()) {
                throw new ProbeException("libavformat has no demuxer " + demuxer, false);
            }
        }
        AVFormatContext ctx = avformat_alloc_context();
        LongPointer key = new LongPointer(1);
        DEADLINES.put(key.address(), System.nanoTime() + timeout.toNanos());
        ctx.interrupt_callback().callback(interruptCallback()).opaque(key);
        AVDictionary options = new AVDictionary(null);
        av_dict_set(options, "protocol_whitelist", "file", 0);
        try {
            // On failure avformat_open_input frees the context itself.
            check(avformat_open_input(ctx, url, format, options), what, key);
            try {
                check(avformat_find_stream_info(ctx, (AVDictionary) null), what, key);
                return describe(ctx);
            } finally {
                avformat_close_input(ctx);
            }
        } finally {
            av_dict_free(options);
            DEADLINES.remove(key.address());
            key.close();
        }
    }

    private static void check(int result, String what, LongPointer key) throws ProbeException, InterruptedException {
        if (result >= 0) {
            return;
        }
        if (Thread.interrupted()) {
            throw new InterruptedException("probe of " + what + " interrupted");
        }
        if (System.nanoTime() > DEADLINES.getOrDefault(key.address(), Long.MAX_VALUE)) {
            throw new ProbeException("probe of " + what + " did not finish in time", true);
        }
        byte[] buf = new byte[256];
        av_strerror(result, buf, buf.length);
        int len = 0;
        while (len < buf.length && buf[len] != 0) {
            len++;
        }
        throw new ProbeException("libavformat cannot read " + what + ": " + new String(buf, 0, len, StandardCharsets.UTF_8),
                false);
    }

    /** One callback for every probe (JavaCPP callbacks are a scarce native resource), keyed by its opaque. */
    private static AVIOInterruptCB.Callback_Pointer interruptCallback() {
        AVIOInterruptCB.Callback_Pointer cb = interrupt;
        if (cb == null) {
            synchronized (LibavProbe.class) {
                cb = interrupt;
                if (cb == null) {
                    cb = new AVIOInterruptCB.Callback_Pointer() {
                        @Override
                        public int call(Pointer opaque) {
                            Long deadline = DEADLINES.get(opaque.address());
                            boolean stop = Thread.currentThread().isInterrupted()
                                    || (deadline != null && System.nanoTime() > deadline);
                            return stop ? 1 : 0;
                        }
                    };
                    interrupt = cb;
                }
            }
        }
        return cb;
    }

    /** The fields {@code ffprobe -show_format -show_streams -of json} prints that this project reads. */
    private static JsonNode describe(AVFormatContext ctx) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode streams = root.putArray("streams");
        for (int i = 0; i < ctx.nb_streams(); i++) {
            AVStream st = ctx.streams(i);
            AVCodecParameters par = st.codecpar();
            ObjectNode s = streams.addObject();
            s.put("index", st.index());
            s.put("codec_name", string(avcodec_get_name(par.codec_id())));
            BytePointer type = av_get_media_type_string(par.codec_type());
            s.put("codec_type", type == null || type.isNull() ? "unknown" : type.getString());
            if (par.codec_type() == AVMEDIA_TYPE_VIDEO) {
                s.put("width", par.width());
                s.put("height", par.height());
            } else if (par.codec_type() == AVMEDIA_TYPE_AUDIO) {
                s.put("sample_rate", Integer.toString(par.sample_rate()));
                s.put("channels", par.ch_layout().nb_channels());
            }
            AVRational tb = st.time_base();
            s.put("time_base", tb.num() + "/" + tb.den());
            putTime(s, "start_time", st.start_time(), tb.num(), tb.den());
            putTime(s, "duration", st.duration(), tb.num(), tb.den());
            if (st.nb_frames() > 0) {
                s.put("nb_frames", Long.toString(st.nb_frames()));
            }
        }
        ObjectNode format = root.putObject("format");
        format.put("nb_streams", ctx.nb_streams());
        format.put("format_name", string(ctx.iformat().name()));
        putTime(format, "start_time", ctx.start_time(), 1, 1_000_000);
        putTime(format, "duration", ctx.duration(), 1, 1_000_000);
        long size = ctx.pb() == null || ctx.pb().isNull() ? -1 : avio_size(ctx.pb());
        if (size >= 0) {
            format.put("size", Long.toString(size));
        }
        if (ctx.bit_rate() > 0) {
            format.put("bit_rate", Long.toString(ctx.bit_rate()));
        }
        return root;
    }

    /** As FFprobe prints a time: seconds with six decimals, left out when unknown. */
    private static void putTime(ObjectNode node, String field, long value, int num, int den) {
        if (value != AV_NOPTS_VALUE && den != 0) {
            node.put(field, String.format(Locale.ROOT, "%.6f", value * (double) num / den));
        }
    }

    private static String string(BytePointer p) {
        return p == null || p.isNull() ? "unknown" : p.getString();
    }

    @Override
    public String describe() {
        return "libavformat in the JVM (org.bytedeco ffmpeg)";
    }
}
