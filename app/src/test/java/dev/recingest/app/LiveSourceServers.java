package dev.recingest.app;

import com.sun.net.httpserver.HttpServer;
import dev.recingest.client.RawWebSocket;
import dev.recingest.agent.LiveTestMedia;
import dev.recingest.embedded.FreePort;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.Message;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The live sources the agent's integration tests record, all real programs on loopback: a live HLS
 * stream (FFmpeg writing {@code -f hls} into a folder this JVM serves over HTTP), an RTSP server
 * (Debian's {@code rtsp-server-perl}, fed by FFmpeg publishing to it), and the check whether the
 * gateway under test speaks PROTOCOL.md's {@code part} yet.
 */
final class LiveSourceServers {

    private LiveSourceServers() {
    }

    /**
     * Whether the gateway does parts: its {@code started} reports {@code parts} and it answers
     * {@code {"type":"part"}} with {@code partStarted} (the server side of parts is being built separately;
     * today {@code started} has no {@code parts}). Asked with a throwaway recording, aborted afterwards.
     */
    static boolean gatewaySupportsParts(URI ingest, String token) throws InterruptedException {
        try (RawWebSocket ws = RawWebSocket.connect(ingest, token)) {
            ws.sendMessage(new Message.Start("failure-tests-part-probe-" + System.nanoTime(), "video/mp2t", "segments",
                    null, null));
            RawWebSocket.Frame started = ws.poll(Duration.ofSeconds(10));
            boolean reported = started instanceof RawWebSocket.Text t
                    && Json.MAPPER.readTree(t.text()).has("parts");
            if (!reported) {
                ws.sendMessage(new Message.Abort());
                return false;
            }
            ws.sendChunk(0, new byte[188]);
            ws.expect(Message.Ack.class, Duration.ofSeconds(10));
            ws.sendText("{\"type\":\"part\"}");
            RawWebSocket.Frame f = ws.poll(Duration.ofSeconds(10));
            boolean supported = f instanceof RawWebSocket.Text t
                    && "partStarted".equals(Json.MAPPER.readTree(t.text()).path("type").asText());
            ws.sendMessage(new Message.Abort());
            return supported;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** A live HLS stream: FFmpeg writes {@code -f hls} in real time into a folder served over HTTP. */
    static final class LiveHls implements AutoCloseable {
        final URI playlist;
        private final HttpServer server;
        private final Process ffmpeg;

        private LiveHls(URI playlist, HttpServer server, Process ffmpeg) {
            this.playlist = playlist;
            this.server = server;
            this.ffmpeg = ffmpeg;
        }

        /** {@code seconds} of H.264 + AAC in 2 s segments; the playlist gets #EXT-X-ENDLIST at the end. */
        static LiveHls start(Path dir, int seconds) throws IOException {
            Path root = Files.createDirectories(dir.resolve("hls"));
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
            server.createContext("/", ex -> {
                Path f = root.resolve(ex.getRequestURI().getPath().substring(1)).normalize();
                if (!f.startsWith(root) || !Files.isRegularFile(f)) {
                    ex.sendResponseHeaders(404, -1);
                    ex.close();
                    return;
                }
                byte[] body = Files.readAllBytes(f);
                ex.getResponseHeaders().set("Content-Type", f.toString().endsWith(".m3u8")
                        ? "application/vnd.apple.mpegurl" : "video/mp2t");
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            Process p = new ProcessBuilder(LiveTestMedia.ffmpeg().toString(), "-nostdin", "-hide_banner", "-loglevel", "error",
                    "-re", "-t", Integer.toString(seconds), "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
                    "-re", "-t", Integer.toString(seconds), "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                    "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac", "-b:a", "64k",
                    "-f", "hls", "-hls_time", "2", "-hls_list_size", "0", "-hls_flags", "temp_file",
                    root.resolve("live.m3u8").toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("hls-ffmpeg.log").toFile()).start();
            return new LiveHls(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/live.m3u8"), server, p);
        }

        /** Waits until the playlist lists its first segment. */
        LiveHls awaitFirstSegment(Path dir) throws InterruptedException, IOException {
            Path list = dir.resolve("hls").resolve("live.m3u8");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                if (Files.exists(list) && Files.readString(list).contains(".ts")) {
                    return this;
                }
                Thread.sleep(100);
            }
            throw new AssertionError("the HLS playlist got no segment within 60 s");
        }

        boolean awaitEnd(int seconds) throws InterruptedException {
            return ffmpeg.waitFor(seconds, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            ffmpeg.destroyForcibly();
            server.stop(0);
        }
    }

    /**
     * A real RTSP server on loopback: Debian's {@code rtsp-server-perl} (RTSP::Server). A publisher
     * (FFmpeg {@code -f rtsp}, as a camera's encoder) announces a mount on the source port; players,
     * the agent's FFmpeg, read it on the client port, over UDP (the only transport it serves).
     */
    static final class RtspServer implements AutoCloseable {
        static final String BINARY = "/usr/bin/rtsp-server-perl";
        final int clientPort;
        final int sourcePort;
        private final Process server;
        private final List<Process> publishers = new ArrayList<>();

        private RtspServer(int clientPort, int sourcePort, Process server) {
            this.clientPort = clientPort;
            this.sourcePort = sourcePort;
            this.server = server;
        }

        static Optional<Path> binary() {
            Path p = Path.of(BINARY);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }

        static RtspServer start(Path dir) throws IOException, InterruptedException {
            int client = FreePort.pick();
            int source = FreePort.pick();
            int rtp = LiveTestMedia.freeUdpPair();
            Process p = new ProcessBuilder(BINARY, "--clientport", Integer.toString(client), "--serverport",
                    Integer.toString(source), "--client_listen_address", "127.0.0.1", "--source_listen_address", "127.0.0.1",
                    "--rtp_start_port", Integer.toString(rtp), "-l", "2").redirectErrorStream(true)
                    .redirectOutput(dir.resolve("rtsp-server.log").toFile()).start();
            RtspServer s = new RtspServer(client, source, p);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                try (java.net.Socket probe = new java.net.Socket("127.0.0.1", source)) {
                    return s;
                } catch (IOException notYet) {
                    Thread.sleep(100);
                }
            }
            s.close();
            throw new IOException("rtsp-server-perl did not listen within 20 s");
        }

        URI playUri(String mount) {
            return URI.create("rtsp://127.0.0.1:" + clientPort + "/" + mount);
        }

        /** Publishes {@code seconds} of H.264 + AAC in real time to {@code mount}, as a camera would. */
        Process publish(String mount, int seconds, Path log) throws IOException {
            Process p = new ProcessBuilder(LiveTestMedia.ffmpeg().toString(), "-nostdin", "-hide_banner", "-loglevel", "error",
                    "-re", "-t", Integer.toString(seconds), "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
                    "-re", "-t", Integer.toString(seconds), "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                    "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25", "-c:a", "aac", "-b:a", "64k",
                    "-f", "rtsp", "rtsp://127.0.0.1:" + sourcePort + "/" + mount).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            publishers.add(p);
            return p;
        }

        @Override
        public void close() {
            publishers.forEach(Process::destroyForcibly);
            server.destroyForcibly();
            try {
                server.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
