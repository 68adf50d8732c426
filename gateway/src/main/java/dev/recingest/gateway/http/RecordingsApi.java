package dev.recingest.gateway.http;

import dev.recingest.durable.Endings;
import dev.recingest.durable.Remerges;
import dev.recingest.gateway.ingest.RecordingLifecycle;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.ErrorDetail;
import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingState;
import dev.recingest.state.RecordingStore;
import dev.recingest.state.RedisFailures;
import dev.recingest.storage.ChunkStore;
import dev.recingest.storage.OutputStore;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
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
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API under {@code /v1/recordings} ({@link AdminRoute}); the caller has checked the admin token.
 * Routes each request, answers the reads (list, one recording, its output) and hands the actions (stop,
 * merge, delete) to {@link RecordingActions}. A recording whose Redis keys expired is read from its
 * manifest in S3.
 */
final class RecordingsApi {

    private static final Logger LOG = LoggerFactory.getLogger(RecordingsApi.class);
    private static final Duration PRESIGN_VALIDITY = Duration.ofMinutes(15);
    private static final int MAX_PAGE = 500;

    private final RecordingStore store;
    private final OutputStore outputs;
    private final ArchivedRecordings archive;
    private final RecordingActions actions;
    private final LivePlaylists live;

    RecordingsApi(RecordingStore store, ChunkStore chunks, OutputStore outputs, RecordingLifecycle lifecycle,
                  Endings endings, Remerges remerges) {
        this.store = store;
        this.outputs = outputs;
        this.archive = new ArchivedRecordings(outputs);
        this.actions = new RecordingActions(store, chunks, outputs, lifecycle, endings, remerges);
        this.live = new LivePlaylists(outputs);
    }

    void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder query) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String path = query.path();
        List<AdminRoute> shaped = AdminRoute.withShapeOf(path);
        Optional<AdminRoute> route = shaped.stream().filter(r -> r.method().equals(request.method().name())).findFirst();
        if (shaped.isEmpty()) {
            HttpReplies.error(ctx, keepAlive, ErrorCode.NOT_FOUND, "no such endpoint: " + path);
            return;
        }
        if (route.isEmpty()) {
            HttpReplies.methodNotAllowed(ctx, keepAlive,
                    shaped.stream().map(AdminRoute::method).collect(Collectors.joining(", ")));
            return;
        }
        CompletableFuture<?> done;
        try {
            RecordingId id = route.get() == AdminRoute.LIST ? null : RecordingId.of(AdminRoute.idOf(path));
            done = switch (route.get()) {
                case LIST -> list(ctx, keepAlive, query);
                case GET -> view(id).thenAccept(v -> HttpReplies.json(ctx, keepAlive, HttpResponseStatus.OK, v));
                case OUTPUT -> output(ctx, keepAlive, id, !"false".equals(query.parameters().getOrDefault("redirect",
                        List.of("true")).get(0)));
                case LIVE -> view(id).thenCompose(v -> live.playlist(id)).thenAccept(text -> HttpReplies.text(ctx,
                        keepAlive, HttpResponseStatus.OK, text, LivePlaylists.CONTENT_TYPE));
                case STOP -> actions.stop(id).thenAccept(v -> HttpReplies.json(ctx, keepAlive, HttpResponseStatus.OK, v));
                case MERGE -> actions.merge(id)
                        .thenAccept(v -> HttpReplies.json(ctx, keepAlive, HttpResponseStatus.ACCEPTED, v));
                case DELETE -> actions.delete(id, flag(query, "force"))
                        .thenAccept(v -> HttpReplies.json(ctx, keepAlive, HttpResponseStatus.OK, v));
            };
        } catch (IngestException e) {
            done = CompletableFuture.failedFuture(e);
        }
        done.whenComplete((x, error) -> {
            if (error != null) {
                IngestException e = RedisFailures.classify(error);
                if (e.code() == ErrorCode.INTERNAL) {
                    LOG.atError().addKeyValue("method", request.method()).addKeyValue("path", path)
                            .addKeyValue("code", e.code()).setCause(e).log("admin request failed");
                } else if (!e.code().clientFault()) {
                    LOG.atWarn().addKeyValue("method", request.method()).addKeyValue("path", path).addKeyValue("code", e.code())
                            .addKeyValue("error", e.getCause() == null ? e.getMessage() : e.getCause().toString())
                            .log("admin request failed");
                }
                HttpReplies.error(ctx, keepAlive, e);
            }
        });
    }

    /**
     * The recording from Redis (with its live rendition's status, when it has one), else from its manifest in S3;
     * NOT_FOUND when neither knows it.
     */
    private CompletableFuture<Map<String, Object>> view(RecordingId id) {
        return store.get(id).thenCompose(r -> r.isPresent()
                ? store.liveIndex().status(id).thenApply(live -> RecordingView.of(r.get(), live))
                : archive.find(id).thenApply(a -> a.orElseThrow(() -> notFound(id))));
    }

    static IngestException notFound(RecordingId id) {
        return new IngestException(ErrorCode.NOT_FOUND, "no recording " + id);
    }

    private CompletableFuture<Void> output(ChannelHandlerContext ctx, boolean keepAlive, RecordingId id, boolean redirect) {
        return store.get(id).thenCompose(found -> {
            if (found.isPresent()) {
                Recording r = found.get();
                if (r.state() != RecordingState.COMPLETED || r.outputKey() == null) {
                    throw new IngestException(ErrorCode.CONFLICT, "recording is " + r.state() + ", not COMPLETED",
                            new ErrorDetail.State(r.state().name()));
                }
                return CompletableFuture.completedFuture(r.outputKey());
            }
            return archive.find(id).thenApply(a -> {
                Object out = a.orElseThrow(() -> notFound(id)).get("output");
                if (!(out instanceof Map<?, ?> o)) {
                    throw new IngestException(ErrorCode.CONFLICT, "recording has no output");
                }
                return (String) o.get("key");
            });
        }).thenAccept(key -> {
            String url = outputs.presignGet(key, PRESIGN_VALIDITY).toString();
            if (redirect) {
                HttpReplies.redirect(ctx, keepAlive, url);
            } else {
                // For pages: a cross-origin fetch cannot read a redirect's Location, and <video src> wants the URL.
                HttpReplies.json(ctx, keepAlive, HttpResponseStatus.OK,
                        Map.of("url", url, "expiresInSeconds", PRESIGN_VALIDITY.toSeconds()));
            }
        });
    }

    private CompletableFuture<Void> list(ChannelHandlerContext ctx, boolean keepAlive, QueryStringDecoder query) {
        long offset = param(query, "offset", 0);
        long limit = Math.max(1, Math.min(MAX_PAGE, param(query, "limit", 100)));
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
            return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenCompose(x -> {
                List<Object> page = new ArrayList<>();
                List<String> expired = new ArrayList<>();
                for (int i = 0; i < all.size(); i++) {
                    Optional<Recording> r = all.get(i).join();
                    if (r.isEmpty()) {
                        expired.add(ids.get(i));
                    } else if (state.isEmpty() || r.get().state() == state.get()) {
                        page.add(RecordingView.of(r.get()));
                    }
                }
                // Ids whose keys expired leave the listing here; the next page starts that much earlier.
                return store.retention().unlist(expired).thenAccept(removed -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("recordings", page);
                    body.put("offset", offset);
                    body.put("limit", limit);
                    body.put("nextOffset", ids.size() < limit ? null : offset + limit - removed);
                    HttpReplies.json(ctx, keepAlive, HttpResponseStatus.OK, body);
                });
            });
        });
    }

    private static boolean flag(QueryStringDecoder query, String name) {
        List<String> v = query.parameters().get(name);
        if (v == null || v.isEmpty()) {
            return false;
        }
        return switch (v.get(0)) {
            case "true", "1" -> true;
            case "false", "0", "" -> false;
            default -> throw new IngestException(ErrorCode.BAD_REQUEST, name + " must be true or false");
        };
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
