package dev.recingest.gateway.http;

import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingState;
import dev.recingest.state.RecordingStore;
import dev.recingest.storage.OutputStore;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The admin API under {@code /v1/recordings}; the caller has checked the admin token. */
final class RecordingsApi {

    private static final Duration PRESIGN_VALIDITY = Duration.ofMinutes(15);
    private static final int MAX_PAGE = 500;

    private final RecordingStore store;
    private final OutputStore outputs;

    RecordingsApi(RecordingStore store, OutputStore outputs) {
        this.store = store;
        this.outputs = outputs;
    }

    void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder query) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String[] parts = query.path().substring("/v1/recordings".length()).split("/", -1);
        // parts: [""] for /v1/recordings, ["", id] for /{id}, ["", id, "output"] for /{id}/output
        CompletableFuture<Void> done;
        try {
            if (request.method() != HttpMethod.GET) {
                throw new IngestException(ErrorCode.BAD_REQUEST, "method not allowed here");
            }
            if (parts.length == 1 && parts[0].isEmpty()) {
                done = list(ctx, keepAlive, query);
            } else if (parts.length == 2) {
                done = get(RecordingId.of(parts[1])).thenAccept(r ->
                        HttpReplies.json(ctx, keepAlive, HttpResponseStatus.OK, RecordingView.of(r)));
            } else if (parts.length == 3 && parts[2].equals("output")) {
                done = get(RecordingId.of(parts[1])).thenAccept(r -> output(ctx, keepAlive, r));
            } else {
                throw new IngestException(ErrorCode.NOT_FOUND, "no such endpoint");
            }
        } catch (IngestException e) {
            done = CompletableFuture.failedFuture(e);
        }
        done.whenComplete((x, error) -> {
            if (error != null) {
                IngestException e = IngestException.from(error);
                HttpReplies.error(ctx, keepAlive, e.code(), e.code() == ErrorCode.INTERNAL ? "internal error" : e.getMessage());
            }
        });
    }

    private CompletableFuture<Recording> get(RecordingId id) {
        return store.get(id).thenApply(r -> r.orElseThrow(() ->
                new IngestException(ErrorCode.NOT_FOUND, "no recording " + id)));
    }

    private void output(ChannelHandlerContext ctx, boolean keepAlive, Recording r) {
        if (r.state() != RecordingState.COMPLETED || r.outputKey() == null) {
            HttpReplies.error(ctx, keepAlive, ErrorCode.CONFLICT, "recording is " + r.state() + ", not COMPLETED");
            return;
        }
        HttpReplies.redirect(ctx, keepAlive, outputs.presignGet(r.outputKey(), PRESIGN_VALIDITY).toString());
    }

    private CompletableFuture<Void> list(ChannelHandlerContext ctx, boolean keepAlive, QueryStringDecoder query) {
        long offset = param(query, "offset", 0);
        long limit = Math.min(MAX_PAGE, param(query, "limit", 100));
        Optional<RecordingState> state = Optional.ofNullable(query.parameters().get("state"))
                .map(v -> {
                    try {
                        return RecordingState.valueOf(v.get(0));
                    } catch (IllegalArgumentException e) {
                        throw new IngestException(ErrorCode.BAD_REQUEST, "unknown state " + v.get(0));
                    }
                });
        return store.listIds(offset, limit).thenCompose(ids -> {
            List<CompletableFuture<Optional<Recording>>> all = new ArrayList<>();
            ids.forEach(id -> all.add(store.get(RecordingId.of(id))));
            return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenAccept(x -> {
                List<Object> page = new ArrayList<>();
                for (var f : all) {
                    f.join().filter(r -> state.isEmpty() || r.state() == state.get())
                            .ifPresent(r -> page.add(RecordingView.of(r)));
                }
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("recordings", page);
                body.put("offset", offset);
                body.put("limit", limit);
                body.put("nextOffset", ids.size() < limit ? null : offset + limit);
                HttpReplies.json(ctx, keepAlive, HttpResponseStatus.OK, body);
            });
        });
    }

    private static long param(QueryStringDecoder query, String name, long dflt) {
        List<String> v = query.parameters().get(name);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.get(0));
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IngestException(ErrorCode.BAD_REQUEST, name + " must be a non-negative integer");
        }
    }
}
