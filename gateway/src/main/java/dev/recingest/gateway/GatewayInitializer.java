package dev.recingest.gateway;

import dev.recingest.gateway.http.HttpApiHandler;
import dev.recingest.gateway.ingest.IngestFrameDecoder;
import dev.recingest.gateway.ingest.IngestHandler;
import dev.recingest.gateway.ingest.IngestServices;
import dev.recingest.gateway.ingest.Keepalive;
import dev.recingest.gateway.ingest.PreStartBudget;
import dev.recingest.gateway.ingest.WebSocketGuard;
import dev.recingest.gateway.web.WebHandler;
import dev.recingest.protocol.ChunkFrame;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/** The pipeline of one connection, in order. */
final class GatewayInitializer extends ChannelInitializer<SocketChannel> {

    static final String INGEST_PATH = "/v1/ingest";
    /** Upgrade requests and admin calls are small; bigger HTTP bodies are refused with 413. */
    private static final int MAX_HTTP_BODY = 64 << 10;
    /** How long a closing connection waits for the client to finish sending and close its side. */
    private static final long CLOSE_LINGER_MILLIS = 2000;
    private static final Keepalive KEEPALIVE = new Keepalive();

    private final GatewayConfig config;
    private final IngestServices services;
    private final WebHandler web;
    private final HttpApiHandler httpApi;
    private final ChannelGroup channels;
    private final WebSocketServerProtocolConfig wsConfig;
    private final WebSocketDecoderConfig frameConfig;
    private final Counter requestTimeouts;
    private final PreStartBudget preStartBudget;
    private final IngestFrameDecoder frameDecoder;

    GatewayInitializer(GatewayConfig config, IngestServices services, WebHandler web, HttpApiHandler httpApi,
                       ChannelGroup channels, Counter requestTimeouts, PreStartBudget preStartBudget) {
        this.config = config;
        this.web = web;
        this.requestTimeouts = requestTimeouts;
        this.services = services;
        this.httpApi = httpApi;
        this.channels = channels;
        this.preStartBudget = preStartBudget;
        this.frameDecoder = new IngestFrameDecoder(config.maxTextBytes());
        // The WebSocketGuard swaps the upgrade's decoder for one that checks every frame's header against the
        // connection's limits first; the max frame length here is only a backstop behind those checks. The
        // upgrade's own decoder (which sees no frame, unless a client sends one before the 101) gets the text limit.
        this.frameConfig = decoderConfig(Math.max(config.maxTextBytes(), config.maxChunkBytes() + ChunkFrame.HEADER_BYTES));
        this.wsConfig = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(INGEST_PATH)
                .checkStartsWith(true) // allow a query string on the upgrade URL
                .handshakeTimeoutMillis(config.handshakeTimeout().toMillis())
                .dropPongFrames(true)
                .decoderConfig(decoderConfig(config.maxTextBytes()))
                .build();
    }

    private static WebSocketDecoderConfig decoderConfig(int maxFrame) {
        return WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(maxFrame)
                .allowExtensions(false) // no permessage-deflate: media does not compress
                .withUTF8Validator(false) // control text is decoded strictly (ControlText): 4400, not 1007
                .closeOnProtocolViolation(true)
                .build();
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        channels.add(ch);
        ChannelPipeline p = ch.pipeline();
        p.addLast("linger", new LingeringClose(CLOSE_LINGER_MILLIS));
        // Reader idle: no frame and no pong for the idle timeout. Writer idle: time to send a ping.
        p.addLast("idle", new IdleStateHandler(config.idleTimeout().toMillis(), config.pingInterval().toMillis(), 0,
                TimeUnit.MILLISECONDS));
        p.addLast("http", new HttpServerCodec());
        p.addLast("http-aggregator", new HttpObjectAggregator(MAX_HTTP_BODY));
        p.addLast("websocket", new WebSocketServerProtocolHandler(wsConfig));
        p.addLast("request-deadline", new RequestDeadline(config.handshakeTimeout().toMillis(), requestTimeouts));
        p.addLast("web", web);
        p.addLast("http-api", httpApi);
        p.addLast("frame-aggregator", new WebSocketFrameAggregator(frameConfig.maxFramePayloadLength()));
        // The ingest protocol, in the order a frame meets it: its limits (and the connection's), keepalive, decoding
        // into chunks and control messages, then the connection's phase and its recording.
        WebSocketGuard guard = new WebSocketGuard(config, preStartBudget, frameConfig, services.metrics());
        p.addLast("guard", guard);
        p.addLast("keepalive", KEEPALIVE);
        p.addLast("ingest-frames", frameDecoder);
        p.addLast("ingest", new IngestHandler(services, guard));
    }
}
