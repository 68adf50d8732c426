package dev.recingest.gateway.http;

import dev.recingest.auth.Tokens;
import dev.recingest.gateway.ingest.RecordingLifecycle;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import dev.recingest.state.RecordingStore;
import dev.recingest.storage.ChunkStore;
import dev.recingest.storage.OutputStore;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Every HTTP request that is not the WebSocket upgrade or a browser file: health, readiness, metrics and the
 * admin API (admin token; a recorder token may read its own recording, see {@link RecorderAccess}).
 * Holds no per-connection state, so one instance serves all connections.
 */
@ChannelHandler.Sharable
public final class HttpApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final long READY_TIMEOUT_SECONDS = 2;

    private final RecordingStore store;
    private final ChunkStore chunks;
    private final PrometheusMeterRegistry registry;
    private final AdminAuth adminAuth;
    private final RecorderAccess recorderAccess;
    private final RecordingsApi recordings;
    private final BooleanSupplier draining;

    public HttpApiHandler(RecordingStore store, ChunkStore chunks, OutputStore outputs, RecordingLifecycle lifecycle,
                          PrometheusMeterRegistry registry, String adminToken, Tokens recorderTokens,
                          BooleanSupplier draining) {
        this.store = store;
        this.chunks = chunks;
        this.registry = registry;
        this.adminAuth = new AdminAuth(adminToken);
        this.recorderAccess = new RecorderAccess(recorderTokens);
        this.recordings = new RecordingsApi(store, chunks, outputs, lifecycle);
        this.draining = draining;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        String path = query.path();
        boolean probe = path.equals("/healthz") || path.equals("/readyz") || path.equals("/metrics");
        if (probe && request.method() != HttpMethod.GET) {
            HttpReplies.methodNotAllowed(ctx, keepAlive, "GET");
        } else if (path.equals("/healthz")) {
            HttpReplies.json(ctx, keepAlive, HttpResponseStatus.OK, Map.of("status", "ok"));
        } else if (path.equals("/readyz")) {
            ready(ctx, keepAlive);
        } else if (path.equals("/metrics")) {
            HttpReplies.text(ctx, keepAlive, HttpResponseStatus.OK, registry.scrape(),
                    "text/plain; version=0.0.4; charset=utf-8");
        } else if (path.equals(AdminRoute.BASE) || path.startsWith(AdminRoute.BASE + "/")) {
            if (!adminAuth.allows(request)) {
                try {
                    recorderAccess.check(request, path);
                } catch (IngestException e) {
                    HttpReplies.error(ctx, keepAlive, e);
                    return;
                }
            }
            recordings.handle(ctx, request, query);
        } else {
            HttpReplies.error(ctx, keepAlive, ErrorCode.NOT_FOUND, "no such endpoint: " + path);
        }
    }

    /** Ready when not draining and both Redis and object storage answer within the timeout. */
    private void ready(ChannelHandlerContext ctx, boolean keepAlive) {
        CompletableFuture<String> redis = check(store.ping());
        CompletableFuture<String> s3 = check(chunks.ping());
        redis.thenCombine(s3, (r, s) -> {
            boolean ok = r.equals("ok") && s.equals("ok") && !draining.getAsBoolean();
            HttpReplies.json(ctx, keepAlive, ok ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                    Map.of("status", ok ? "ready" : "not ready", "redis", r, "storage", s,
                            "draining", draining.getAsBoolean()));
            return null;
        });
    }

    private static CompletableFuture<String> check(CompletableFuture<Void> probe) {
        return probe.orTimeout(READY_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .handle((x, e) -> e == null ? "ok" : "unavailable");
    }
}
