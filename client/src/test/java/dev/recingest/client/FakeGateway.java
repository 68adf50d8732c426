package dev.recingest.client;

import dev.recingest.protocol.CloseCodes;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.Message;
import dev.recingest.protocol.RecordingId;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A scripted stand-in for the gateway, for the client's unit tests only: it keeps recordings in
 * memory, follows PROTOCOL.md's seq rules closely enough to exercise the client, and injects the
 * faults a test asks for. It is not the gateway and proves nothing about it.
 */
public final class FakeGateway implements AutoCloseable {

    public static final class Rec {
        public final String id;
        public final TreeMap<Long, byte[]> stored = new TreeMap<>();
        public long nextSeq;
        public String state = "RECORDING";
        public String mode;
        public String contentType;
        /** The first seq of every part after part 0, in order. */
        public final List<Long> partStarts = new ArrayList<>();

        Rec(String id) {
            this.id = id;
        }

        public synchronized byte[] joined() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            stored.values().forEach(out::writeBytes);
            return out.toByteArray();
        }
    }

    public final Map<String, Rec> recordings = new ConcurrentHashMap<>();
    public final List<String> authorizations = new CopyOnWriteArrayList<>();
    public final List<String> texts = new CopyOnWriteArrayList<>();
    public final Map<Long, AtomicInteger> receivedPerSeq = new ConcurrentHashMap<>();
    public final AtomicInteger chunkFrames = new AtomicInteger();
    public final AtomicInteger connections = new AtomicInteger();
    public final AtomicLong unackedBytes = new AtomicLong();
    public final AtomicLong maxUnackedBytes = new AtomicLong();

    /**
     * Report {@code parts} in {@code started} and answer {@code {"type":"part"}} as PROTOCOL.md says;
     * false: behave as a gateway without parts (no {@code parts}; {@code part} is an unknown type,
     * BAD_REQUEST and 4400).
     */
    public volatile boolean parts = true;
    /** Register the next part, then drop the connection instead of answering it (once). */
    public volatile boolean dropPartReplyOnce;

    /** Frames above this size are closed with 1009. */
    public static final int MAX_FRAME = 1 << 20;

    /** Nack these seqs (retryable, not stored) the first time they arrive. */
    public final Set<Long> nackOnce = ConcurrentHashMap.newKeySet();
    /** Nack these seqs every time. */
    public final Set<Long> nackAlways = ConcurrentHashMap.newKeySet();
    /** Ignore these seqs entirely the first time, so the next chunk meets a gap. */
    public final Set<Long> dropOnce = ConcurrentHashMap.newKeySet();
    /** Ack these seqs but do not store them, so stop finds them missing. */
    public final Set<Long> loseOnce = ConcurrentHashMap.newKeySet();
    /** When the total of chunk frames reaches this, close that connection with {@link #closeCode} (once). */
    public volatile int closeAtChunk = -1;
    /** The close code for {@link #closeAtChunk}; 1006 drops the TCP connection without a close frame. */
    public volatile int closeCode = CloseCodes.GOING_AWAY;
    /** Stop the recording but drop the connection instead of answering {@code stopped} (once). */
    public volatile boolean dropStoppedReply;
    /** This many starts are answered STORAGE_UNAVAILABLE (retryable, no close), as with Redis away. */
    public final AtomicInteger unavailableStarts = new AtomicInteger();
    /** Hold acks until {@link #releaseAcks()}, which sends them newest first. */
    public volatile boolean holdAcks;
    private final List<Runnable> heldAcks = Collections.synchronizedList(new ArrayList<>());

    private final EventLoopGroup group = new NioEventLoopGroup(2);
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Channel server;

    public FakeGateway() throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                        .websocketPath("/v1/ingest").maxFramePayloadLength(64 << 20)
                                        .sendCloseFrame(null).build()),
                                new Session());
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    public URI uri() {
        return URI.create("ws://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort() + "/v1/ingest");
    }

    public Rec rec(String id) {
        return recordings.get(id);
    }

    public void releaseAcks() {
        holdAcks = false;
        List<Runnable> acks;
        synchronized (heldAcks) {
            acks = new ArrayList<>(heldAcks);
            heldAcks.clear();
        }
        Collections.reverse(acks);
        acks.forEach(Runnable::run);
    }

    @Override
    public void close() {
        channels.close().awaitUninterruptibly();
        server.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** One connection. */
    private final class Session extends SimpleChannelInboundHandler<WebSocketFrame> {
        private Rec rec;
        private boolean closing;

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete hc) {
                connections.incrementAndGet();
                String auth = hc.requestHeaders().get("Authorization");
                authorizations.add(auth == null ? "" : auth);
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (closing) {
                return;
            }
            if (frame instanceof TextWebSocketFrame t) {
                texts.add(t.text());
                onText(ctx, t.text());
            } else if (frame instanceof BinaryWebSocketFrame b) {
                // The limit is checked here, after the whole frame was read, rather than by Netty's
                // decoder: that one closes at once with the rest of the frame unread, the kernel answers
                // the client's remaining bytes with a reset, and the client may never see the 1009.
                if (b.content().readableBytes() > MAX_FRAME) {
                    close(ctx, CloseCodes.MESSAGE_TOO_BIG, "frame too big");
                    return;
                }
                onChunk(ctx, b.content());
            }
        }

        private void onText(ChannelHandlerContext ctx, String text) {
            Message m;
            try {
                m = Json.readMessage(text);
            } catch (RuntimeException e) {
                badRequest(ctx, e.getMessage());
                return;
            }
            if (m instanceof Message.Start s) {
                if ("invalid".equals(s.contentType())) {
                    badRequest(ctx, "contentType is invalid");
                    return;
                }
                if (unavailableStarts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    send(ctx, new Message.Error("STORAGE_UNAVAILABLE", "recording state is unavailable", null, null,
                            null, null));
                    return;
                }
                String id = s.recordingId() != null ? s.recordingId() : RecordingId.generate().value();
                Rec r = recordings.computeIfAbsent(id, Rec::new);
                boolean resumed;
                synchronized (r) {
                    if (!r.state.equals("RECORDING")) {
                        send(ctx, new Message.Error("NOT_OPEN", "recording is " + r.state, null, null, null, r.state));
                        close(ctx, CloseCodes.NOT_OPEN, "recording not open");
                        return;
                    }
                    resumed = r.mode != null;
                    r.mode = s.mode() == null ? "stream" : s.mode();
                    r.contentType = s.contentType();
                }
                rec = r;
                Integer count = null;
                if (parts) {
                    synchronized (r) {
                        count = r.partStarts.size() + 1;
                    }
                }
                send(ctx, new Message.Started(id, r.nextSeq, resumed, count));
            } else if (m instanceof Message.Part && parts && rec != null) {
                onPart(ctx);
            } else if (m instanceof Message.Stop s) {
                onStop(ctx, s);
            } else if (m instanceof Message.Abort) {
                synchronized (rec) {
                    rec.state = "ABORTED";
                    rec.stored.clear();
                }
                send(ctx, new Message.Aborted(rec.id));
                close(ctx, CloseCodes.NORMAL, "");
            } else {
                badRequest(ctx, "unexpected " + m.getClass().getSimpleName());
            }
        }

        private void onPart(ChannelHandlerContext ctx) {
            int part;
            long first;
            synchronized (rec) {
                for (long i = 0; i < rec.nextSeq; i++) {
                    if (!rec.stored.containsKey(i)) {
                        badRequest(ctx, "part with chunk " + i + " unacked");
                        return;
                    }
                }
                List<Long> starts = rec.partStarts;
                if (rec.nextSeq == 0 || !starts.isEmpty() && starts.get(starts.size() - 1) == rec.nextSeq) {
                    // Nothing since the last part started: the same answer again.
                } else {
                    starts.add(rec.nextSeq);
                }
                part = starts.size();
                first = rec.nextSeq;
            }
            if (dropPartReplyOnce) {
                dropPartReplyOnce = false;
                close(ctx, CloseStatus.ABNORMAL, "");
                return;
            }
            send(ctx, new Message.PartStarted(part, first));
        }

        private void onStop(ChannelHandlerContext ctx, Message.Stop s) {
            List<Long> missing = new ArrayList<>();
            long bytes = 0;
            synchronized (rec) {
                long last = s.lastSeq() == null ? rec.nextSeq - 1 : s.lastSeq();
                for (long i = 0; i <= Math.max(last, rec.nextSeq - 1); i++) {
                    byte[] b = rec.stored.get(i);
                    if (b == null) {
                        missing.add(i);
                    } else {
                        bytes += b.length;
                    }
                }
                if (missing.isEmpty()) {
                    rec.state = "STOPPED";
                }
            }
            if (!missing.isEmpty()) {
                send(ctx, new Message.Error("INCOMPLETE", "missing chunks", null, null, missing, null));
                return;
            }
            if (dropStoppedReply) {
                dropStoppedReply = false;
                close(ctx, CloseStatus.ABNORMAL, "");
                return;
            }
            send(ctx, new Message.Stopped(rec.id, rec.nextSeq, bytes, null));
            close(ctx, CloseCodes.NORMAL, "");
        }

        private void onChunk(ChannelHandlerContext ctx, ByteBuf content) {
            if (rec == null) {
                badRequest(ctx, "chunk before start");
                return;
            }
            if (content.readableBytes() < 10 || content.getByte(0) != 1) {
                badRequest(ctx, "bad chunk frame");
                return;
            }
            long seq = content.getLong(1);
            byte[] payload = new byte[content.readableBytes() - 9];
            content.getBytes(9, payload);
            int n = chunkFrames.incrementAndGet();
            receivedPerSeq.computeIfAbsent(seq, k -> new AtomicInteger()).incrementAndGet();
            if (n == closeAtChunk) {
                close(ctx, closeCode, "fault injected");
                return;
            }
            if (dropOnce.remove(seq)) {
                return;
            }
            long u = unackedBytes.addAndGet(payload.length);
            maxUnackedBytes.accumulateAndGet(u, Math::max);
            long index;
            synchronized (rec) {
                if (seq == -1) {
                    index = rec.nextSeq++;
                } else if (seq > rec.nextSeq) {
                    unackedBytes.addAndGet(-payload.length);
                    send(ctx, new Message.Error("SEQ_GAP", "gap", seq, rec.nextSeq, null, null));
                    return;
                } else {
                    index = seq;
                    if (seq == rec.nextSeq) {
                        rec.nextSeq++;
                    }
                }
                if (nackOnce.remove(seq) || nackAlways.contains(seq)) {
                    unackedBytes.addAndGet(-payload.length);
                    send(ctx, new Message.Nack(seq, "STORAGE_UNAVAILABLE", true, null, "injected"));
                    return;
                }
                if (!loseOnce.remove(seq)) {
                    rec.stored.putIfAbsent(index, payload);
                }
            }
            Message.Ack ack = new Message.Ack(seq, index, payload.length);
            Runnable sendAck = () -> {
                unackedBytes.addAndGet(-payload.length);
                send(ctx, ack);
            };
            if (holdAcks) {
                heldAcks.add(() -> ctx.executor().execute(sendAck));
            } else {
                sendAck.run();
            }
        }

        private void badRequest(ChannelHandlerContext ctx, String message) {
            send(ctx, new Message.Error("BAD_REQUEST", message, null, null, null, null));
            close(ctx, CloseCodes.PROTOCOL_VIOLATION, "protocol violation");
        }

        private void send(ChannelHandlerContext ctx, Message m) {
            ctx.writeAndFlush(new TextWebSocketFrame(Json.write(m)));
        }

        private void close(ChannelHandlerContext ctx, int code, String reason) {
            closing = true;
            if (code == CloseStatus.ABNORMAL) {
                ctx.channel().close();
            } else {
                ctx.writeAndFlush(new CloseWebSocketFrame(code, reason));
            }
        }
    }
}
