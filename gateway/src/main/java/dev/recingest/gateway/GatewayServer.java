package dev.recingest.gateway;

import dev.recingest.auth.Tokens;
import dev.recingest.config.Retention;
import dev.recingest.durable.EndLedger;
import dev.recingest.durable.PartLedger;
import dev.recingest.durable.Endings;
import dev.recingest.durable.Reconciler;
import dev.recingest.durable.Remerges;
import dev.recingest.durable.StorageReconciler;
import dev.recingest.events.EventPublisher;
import dev.recingest.gateway.http.HttpApiHandler;
import dev.recingest.gateway.ingest.ChunkWriter;
import dev.recingest.gateway.ingest.FlowControl;
import dev.recingest.gateway.ingest.GatewayMetrics;
import dev.recingest.gateway.ingest.IngestHandler;
import dev.recingest.gateway.ingest.IngestServices;
import dev.recingest.gateway.ingest.PreStartBudget;
import dev.recingest.gateway.ingest.Parts;
import dev.recingest.gateway.ingest.RecordingLifecycle;
import dev.recingest.gateway.ingest.Recovery;
import dev.recingest.gateway.janitor.Janitor;
import dev.recingest.gateway.web.WebConfig;
import dev.recingest.gateway.web.WebHandler;
import dev.recingest.state.RecordingStore;
import dev.recingest.storage.ChunkStore;
import dev.recingest.storage.OutputStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The gateway's Netty server: wiring, bind, graceful drain and shutdown. */
public final class GatewayServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);

    private final GatewayConfig config;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ChannelGroup channels = new DefaultChannelGroup("gateway", GlobalEventExecutor.INSTANCE);
    private final Channel serverChannel;
    private final Janitor janitor;
    private volatile boolean draining;
    private final AtomicBoolean closed = new AtomicBoolean();

    private GatewayServer(GatewayConfig config, RecordingStore store, ChunkStore chunks, OutputStore outputs,
                          PrometheusMeterRegistry registry, EventPublisher events, Retention retention, WebConfig web)
            throws InterruptedException {
        this.config = config;
        if (!config.authEnabled()) {
            LOG.atWarn().addKeyValue("setting", "RECINGEST_AUTH=off")
                    .log("AUTHENTICATION IS OFF: any client can write any recording");
        }
        Tokens tokens = config.authEnabled() ? new Tokens(config.jwtSecret(), config.tokens()) : null;
        FlowControl flow = new FlowControl(config.windowBytes(), config.globalInflightBytes());
        EndLedger ledger = new EndLedger(outputs);
        Endings endings = new Endings(store, chunks, ledger, events, retention.redisKeys(), Clock.systemUTC());
        boolean epoll = Epoll.isAvailable();
        boss = epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
        workers = epoll ? new EpollEventLoopGroup() : new NioEventLoopGroup();
        // S3 requests of a repair are built on the event loops, like a chunk's PUT (ChunkWriter), never on the
        // Redis client's thread.
        Reconciler reconciler = new StorageReconciler(store.repairs(), chunks, endings, workers);
        Recovery recovery = new Recovery(store.ledger(), reconciler);
        RecordingLifecycle lifecycle = new RecordingLifecycle(store.ledger(), reconciler, endings,
                store.openPerSubject(), tokens, config.maxMetadataBytes(),
                config.maxOpenPerSubject(), events, recovery);
        IngestServices services = new IngestServices(config, new ChunkWriter(store.ledger(), chunks, recovery), lifecycle,
                new Parts(store.ledger(), reconciler, new PartLedger(outputs), Clock.systemUTC(), recovery), recovery,
                flow, new GatewayMetrics(registry, flow.inflightBytes()));
        HttpApiHandler httpApi = new HttpApiHandler(store, chunks, outputs, lifecycle, endings,
                new Remerges(store, reconciler, ledger), registry, config.adminToken(), tokens, () -> draining);
        janitor = new Janitor(config.janitor(), store, reconciler, endings, events, Clock.systemUTC(), registry);

        Warmup.run(store, chunks, outputs, tokens, Duration.ofSeconds(10));

        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        serverChannel = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new GatewayInitializer(config, services, new WebHandler(web), httpApi, channels,
                        Counter.builder("recingest.request.timeouts")
                                .description("connections closed for not sending a whole request in time")
                                .register(registry), preStartBudget(config, registry)))
                .bind(config.host(), config.port()).sync().channel();
        LOG.atInfo().addKeyValue("address", serverChannel.localAddress()).addKeyValue("transport", epoll ? "epoll" : "nio")
                .addKeyValue("config", config).addKeyValue("demo", web.demoEnabled()).log("gateway listening");
        janitor.start();
    }

    private static PreStartBudget preStartBudget(GatewayConfig config, PrometheusMeterRegistry registry) {
        PreStartBudget budget = new PreStartBudget(config.preStartBytes());
        Gauge.builder("recingest.pre.start", budget, PreStartBudget::used).baseUnit(BaseUnits.BYTES)
                .description("bytes held for connections that have not sent start (half-arrived control messages)")
                .register(registry);
        return budget;
    }

    /** A gateway that announces no events and keeps aborted recordings' keys for the default retention. */
    public static GatewayServer start(GatewayConfig config, RecordingStore store, ChunkStore chunks,
                                      OutputStore outputs, PrometheusMeterRegistry registry) {
        return start(config, store, chunks, outputs, registry, EventPublisher.none(), Retention.defaults());
    }

    /**
     * @param events    where recording.started and recording.stopped go (the webhook outbox)
     * @param retention how long the Redis keys of an aborted recording live
     */
    public static GatewayServer start(GatewayConfig config, RecordingStore store, ChunkStore chunks,
                                      OutputStore outputs, PrometheusMeterRegistry registry, EventPublisher events,
                                      Retention retention) {
        return start(config, store, chunks, outputs, registry, events, retention, WebConfig.moduleOnly());
    }

    /** @param web whether the demo page is served (the recorder module always is), and its development tokens */
    public static GatewayServer start(GatewayConfig config, RecordingStore store, ChunkStore chunks,
                                      OutputStore outputs, PrometheusMeterRegistry registry, EventPublisher events,
                                      Retention retention, WebConfig web) {
        try {
            return new GatewayServer(config, store, chunks, outputs, registry, events, retention, web);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding", e);
        }
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /**
     * Graceful drain (SIGTERM): stop accepting, report not ready, let every connection finish its writes
     * in flight and close it with 1001 so its client resumes elsewhere; then shut down. Bounded by the
     * drain timeout.
     */
    public void drain() {
        draining = true;
        LOG.atInfo().addKeyValue("connections", channels.size()).log("drain started");
        serverChannel.close().syncUninterruptibly();
        for (Channel ch : channels) {
            ch.pipeline().fireUserEventTriggered(IngestHandler.DrainRequest.INSTANCE);
        }
        long deadline = System.nanoTime() + config.drainTimeout().toNanos();
        while (!channels.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        LOG.atInfo().addKeyValue("remaining", channels.size()).log("drain done");
        close();
    }

    /**
     * Abrupt stop: closes every connection at once (no close frames for clients still connected). Once
     * closed (also by the end of a {@link #drain()}), a second call does nothing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        janitor.close();
        serverChannel.close().syncUninterruptibly();
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
