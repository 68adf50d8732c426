package dev.recingest.gateway.web;

import dev.recingest.gateway.http.AdminRoute;
import dev.recingest.gateway.http.HttpReplies;
import dev.recingest.protocol.ErrorCode;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Answers what browsers fetch: the recorder module ({@code /recorder/<file>}), the demo page
 * ({@code /demo/…}, when enabled) and its development token ({@code POST /demo/token}, {@code all} only),
 * and CORS for the two API routes a recorder token may call from a page on another origin. Everything
 * else goes on to the HTTP API. Holds no per-connection state but one channel attribute, so one
 * instance serves all connections.
 */
@ChannelHandler.Sharable
public final class WebHandler extends ChannelDuplexHandler {

    /** What this handler answers, as docs/openapi.yaml lists it (a test compares the two). */
    public static final java.util.List<String> ROUTES = java.util.List.of("GET /recorder/{file}", "GET /demo/",
            "POST /demo/token");
    /** Set while a cross-origin request to the API is being answered: its response gets the CORS header. */
    private static final AttributeKey<Boolean> CORS = AttributeKey.valueOf("recingest.cors");
    /** The API routes open to recorder tokens, so to pages on other origins: GET /v1/recordings/{id}[/output|/live.m3u8]. */
    private static final Pattern RECORDER_READABLE = Pattern.compile(
            Pattern.quote(AdminRoute.BASE) + "/[^/]+(/output|/live\\.m3u8)?");
    /**
     * The demo pages' policy: scripts, styles and the API from this gateway only; media and (for the live tab's
     * hls.js, which fetches the presigned segments from the object store's origin) requests from anywhere.
     */
    private static final String CSP = "default-src 'self'; media-src 'self' blob: http: https:; "
            + "connect-src 'self' http: https:; img-src 'self' data:; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
    private static final long DEMO_TOKEN_SECONDS = 3600;

    private final StaticAssets assets;
    private final WebConfig config;
    private final DemoTokenGuard guard = new DemoTokenGuard();

    public WebHandler(WebConfig config) {
        this.config = config;
        this.assets = StaticAssets.load(config.demoEnabled());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        boolean demoPath = config.demoEnabled() && (path.equals("/") || path.equals("/demo") || path.startsWith("/demo/"));
        if (path.startsWith("/recorder/") || demoPath) {
            try {
                serve(ctx, request, path);
            } finally {
                ReferenceCountUtil.release(request);
            }
            return;
        }
        if (RECORDER_READABLE.matcher(path).matches() && request.headers().contains(HttpHeaderNames.ORIGIN)) {
            if (request.method() == HttpMethod.OPTIONS) {
                try {
                    preflight(ctx, request);
                } finally {
                    ReferenceCountUtil.release(request);
                }
                return;
            }
            ctx.channel().attr(CORS).set(Boolean.TRUE);
        }
        ctx.fireChannelRead(request);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpResponse r && Boolean.TRUE.equals(ctx.channel().attr(CORS).getAndSet(null))) {
            // Recorder and admin tokens travel in the Authorization header, never in cookies: any origin may read.
            r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        }
        super.write(ctx, msg, promise);
    }

    private void serve(ChannelHandlerContext ctx, FullHttpRequest request, String path) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (path.equals("/demo/token")) {
            demoToken(ctx, request, keepAlive);
            return;
        }
        if (path.equals("/") || path.equals("/demo")) {
            HttpReplies.redirect(ctx, keepAlive, "/demo/");
            return;
        }
        HttpMethod method = request.method();
        if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
            HttpReplies.methodNotAllowed(ctx, keepAlive, "GET, HEAD");
            return;
        }
        var found = assets.find(path.equals("/demo/") ? "/demo/index.html" : path);
        if (found.isEmpty()) {
            HttpReplies.error(ctx, keepAlive, ErrorCode.NOT_FOUND, "no such file: " + path);
            return;
        }
        StaticAssets.Asset asset = found.get();
        boolean notModified = asset.etag().equals(request.headers().get(HttpHeaderNames.IF_NONE_MATCH));
        boolean withBody = !notModified && method == HttpMethod.GET;
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                notModified ? HttpResponseStatus.NOT_MODIFIED : HttpResponseStatus.OK,
                withBody ? Unpooled.wrappedBuffer(asset.bytes()) : Unpooled.EMPTY_BUFFER);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, asset.contentType())
                .set(HttpHeaderNames.ETAG, asset.etag())
                // The stable path always gets the current files: revalidate (cheap, 304) rather than risk a
                // page mixing the files of two gateway versions.
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .set("X-Content-Type-Options", "nosniff");
        if (!notModified) {
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, asset.bytes().length);
        }
        if (path.startsWith("/recorder/")) {
            // Module scripts are fetched with CORS: pages on any origin may import the recorder.
            r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        } else {
            r.headers().set("Content-Security-Policy", CSP).set("Referrer-Policy", "no-referrer");
        }
        HttpReplies.write(ctx, keepAlive, r);
    }

    /** A development token for the demo page: only in {@code all}, only to a browser on this machine. */
    private void demoToken(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
        if (config.demoTokens() == null) {
            HttpReplies.error(ctx, keepAlive, ErrorCode.NOT_FOUND,
                    "this gateway hands out no development tokens: the page's owner supplies a recorder token");
            return;
        }
        if (request.method() != HttpMethod.POST) {
            HttpReplies.methodNotAllowed(ctx, keepAlive, "POST");
            return;
        }
        String refused = guard.refusal(ctx.channel().remoteAddress(), request.headers());
        if (refused != null) {
            HttpReplies.error(ctx, keepAlive, ErrorCode.FORBIDDEN, refused);
            return;
        }
        byte[] body = dev.recingest.protocol.Json.writeBytes(Map.of("token", config.demoTokens().issue(DEMO_TOKEN_SECONDS),
                "recordingIdPrefix", DemoTokens.PREFIX, "expiresInSeconds", DEMO_TOKEN_SECONDS));
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        HttpReplies.write(ctx, keepAlive, r);
    }

    private static void preflight(ChannelHandlerContext ctx, FullHttpRequest request) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
        r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*")
                .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET")
                .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "Authorization")
                .set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "600")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        HttpReplies.write(ctx, HttpUtil.isKeepAlive(request), r);
    }
}
