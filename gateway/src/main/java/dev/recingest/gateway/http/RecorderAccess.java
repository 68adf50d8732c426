package dev.recingest.gateway.http;

import dev.recingest.auth.Tokens;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.RecordingId;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Set;

/**
 * What a recorder token (the JWT a recorder writes with) may do on the API: read the one recording it
 * covers ({@code rec}, or a {@code rec_prefix} that covers it: {@link Tokens.Grant#covers}), get its output URL and its
 * live playlist. A browser has no admin token, and its page needs to know when the MP4 is ready. Never the list, stop, re-merge or
 * delete, and never a recording the token does not cover.
 */
final class RecorderAccess {

    private static final Set<AdminRoute> READS = Set.of(AdminRoute.GET, AdminRoute.OUTPUT, AdminRoute.LIVE);

    private final Tokens tokens;

    /** @param tokens the verifier of recorder tokens; null when recorder authentication is off */
    RecorderAccess(Tokens tokens) {
        this.tokens = tokens;
    }

    /**
     * Passes when the request carries a valid recorder token covering the recording that {@code path} reads;
     * otherwise UNAUTHORIZED (no valid token of either kind: 401) or FORBIDDEN (a valid recorder token, but
     * not for this: 403).
     */
    void check(HttpRequest request, String path) {
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (tokens == null || header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new IngestException(ErrorCode.UNAUTHORIZED, "admin token (or a recorder token, to read its recording) required");
        }
        Tokens.Grant grant;
        try {
            grant = tokens.verify(header.substring(7).trim());
        } catch (IngestException e) {
            throw new IngestException(ErrorCode.UNAUTHORIZED, "admin token (or a recorder token, to read its recording) required");
        }
        boolean read = AdminRoute.withShapeOf(path).stream()
                .anyMatch(r -> READS.contains(r) && r.method().equals(request.method().name()));
        if (!read) {
            throw new IngestException(ErrorCode.FORBIDDEN,
                    "a recorder token may only read its recording (GET " + AdminRoute.GET.template()
                            + ", its /output and its /live.m3u8)");
        }
        RecordingId id = RecordingId.of(AdminRoute.idOf(path));
        if (!grant.covers(id)) {
            throw new IngestException(ErrorCode.FORBIDDEN, "the token does not cover recording " + id.value());
        }
    }
}
