package dev.recingest.gateway.http;

import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.Json;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writing HTTP responses; every error body is {@code {"status":..,"code":..,"message":..}}. */
public final class HttpReplies {

    private HttpReplies() {
    }

    public static void json(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, Object body) {
        send(ctx, keepAlive, status, Json.writeBytes(body), "application/json");
    }

    static void text(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String body,
                     String contentType) {
        send(ctx, keepAlive, status, body.getBytes(StandardCharsets.UTF_8), contentType);
    }

    public static void error(ChannelHandlerContext ctx, boolean keepAlive, ErrorCode code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", code.httpStatus());
        body.put("code", code.name());
        body.put("message", message);
        json(ctx, keepAlive, HttpResponseStatus.valueOf(code.httpStatus()), body);
    }

    /**
     * An error with its extra fields (INCOMPLETE's {@code missing}, NOT_OPEN's {@code state}); the message
     * of an INTERNAL error is not shown, since it may say more about the server than a caller should know.
     */
    static void error(ChannelHandlerContext ctx, boolean keepAlive, IngestException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", e.code().httpStatus());
        body.put("code", e.code().name());
        body.put("message", e.code() == ErrorCode.INTERNAL ? "internal error" : e.getMessage());
        if (e.detail() != null) {
            // The detail record's components are the body's field names (ErrorDetail), as in the WebSocket error.
            Json.MAPPER.valueToTree(e.detail()).properties().forEach(f -> body.putIfAbsent(f.getKey(), f.getValue()));
        }
        json(ctx, keepAlive, HttpResponseStatus.valueOf(e.code().httpStatus()), body);
    }

    /** 405 with the {@code Allow} header listing what the path does accept. */
    public static void methodNotAllowed(ChannelHandlerContext ctx, boolean keepAlive, String allow) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", 405);
        body.put("code", "METHOD_NOT_ALLOWED");
        body.put("message", "this path accepts " + allow);
        byte[] bytes = Json.writeBytes(body);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.METHOD_NOT_ALLOWED,
                Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json").set(HttpHeaderNames.ALLOW, allow)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        write(ctx, keepAlive, r);
    }

    public static void redirect(ChannelHandlerContext ctx, boolean keepAlive, String location) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.FOUND);
        r.headers().set(HttpHeaderNames.LOCATION, location).setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        write(ctx, keepAlive, r);
    }

    private static void send(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, byte[] body,
                             String contentType) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        write(ctx, keepAlive, r);
    }

    /** Sends a response that the caller built, with the connection header {@code keepAlive} asks for. */
    public static void write(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse r) {
        if (keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(r, ctx.voidPromise());
        } else {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
