package dev.recingest.merge;

import com.github.kokorin.jaffree.ffmpeg.TcpInput;
import com.github.kokorin.jaffree.net.TcpNegotiator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A stream served to FFmpeg over Jaffree's loopback socket, as Jaffree's {@code PipeInput} does, that also tells
 * whether FFmpeg read all of it. FFmpeg can end normally without reading its input to the end (its demuxer
 * decided the stream was over), and the bytes it left may all sit in socket buffers (megabytes on loopback),
 * so "every byte was written to the socket" proves nothing. TCP does: after the last byte this side shuts
 * its output down and waits for FFmpeg to close; a close with data still unread in FFmpeg's receive buffer is
 * a reset (Linux, RFC 2525), a close after reading everything is an orderly end. What FFmpeg took into its
 * own read buffer (32 KiB) and then dropped cannot be seen from here; {@link StreamStarts} finds the one
 * known cause of that, a second container header.
 */
final class CheckedPipeInput extends TcpInput<CheckedPipeInput> {

    /** How long to wait, after FFmpeg exited, for the socket to tell how it was closed. */
    private static final long VERDICT_WAIT_SECONDS = 10;

    private final Pump pump;

    private CheckedPipeInput(Pump pump) {
        super(pump);
        this.pump = pump;
    }

    static CheckedPipeInput pumpFrom(InputStream source) {
        return new CheckedPipeInput(new Pump(source));
    }

    /**
     * After FFmpeg exited: true when it read everything that was sent, false when it closed its input with
     * bytes unread (or stopped reading while bytes were still being sent).
     */
    boolean consumedAll() throws InterruptedException {
        try {
            return pump.verdict.get(VERDICT_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /** Bytes written to FFmpeg's socket. */
    long sent() {
        return pump.sent;
    }

    private static final class Pump implements TcpNegotiator {
        private final InputStream source;
        private final CompletableFuture<Boolean> verdict = new CompletableFuture<>();
        private volatile long sent;

        Pump(InputStream source) {
            this.source = source;
        }

        @Override
        public void negotiate(Socket socket) throws IOException {
            byte[] buffer = new byte[64 * 1024];
            OutputStream out = socket.getOutputStream();
            try {
                int n;
                while ((n = source.read(buffer)) >= 0) {
                    try {
                        out.write(buffer, 0, n);
                    } catch (IOException ffmpegGone) {
                        verdict.complete(false); // FFmpeg closed its input while there was more to send
                        return;
                    }
                    sent += n;
                }
                out.flush();
                socket.shutdownOutput();
                InputStream back = socket.getInputStream();
                // FFmpeg never writes on its input; this returns when it closes: -1 after an orderly close
                // (everything read), an exception on a reset (bytes left unread).
                while (back.read(buffer) >= 0) {
                    // nothing expected
                }
                verdict.complete(true);
            } catch (IOException e) {
                // A failure of the source is the source's to report (ChunkInputStream keeps it); a reset is
                // FFmpeg closing with bytes unread.
                verdict.complete(false);
            } finally {
                verdict.complete(false);
            }
        }
    }
}
