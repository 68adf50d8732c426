package dev.recingest.gateway.http;

import java.util.Arrays;
import java.util.List;

/**
 * The admin API's routing table: every operation under {@code /v1/recordings}, by method and path
 * template. docs/openapi.yaml documents exactly these (a test compares the two).
 */
public enum AdminRoute {
    LIST("GET", ""),
    GET("GET", "/{id}"),
    DELETE("DELETE", "/{id}"),
    STOP("POST", "/{id}/stop"),
    MERGE("POST", "/{id}/merge"),
    OUTPUT("GET", "/{id}/output"),
    LIVE("GET", "/{id}/live.m3u8");

    public static final String BASE = "/v1/recordings";

    private final String method;
    private final String suffix;

    AdminRoute(String method, String suffix) {
        this.method = method;
        this.suffix = suffix;
    }

    public String method() {
        return method;
    }

    /** The path template, as in the OpenAPI document: {@code /v1/recordings/{id}/stop}. */
    public String template() {
        return BASE + suffix;
    }

    /**
     * The routes whose template has the shape of {@code path} (a path under {@link #BASE}), whatever
     * their method; empty when no route has that shape.
     */
    static List<AdminRoute> withShapeOf(String path) {
        return Arrays.stream(values()).filter(r -> r.suffix.equals(shape(path))).toList();
    }

    /** The recording id in {@code path}, or null for the collection. */
    static String idOf(String path) {
        String[] parts = parts(path);
        return parts.length == 0 ? null : parts[0];
    }

    private static String shape(String path) {
        String[] parts = parts(path);
        return switch (parts.length) {
            case 0 -> "";
            case 1 -> "/{id}";
            case 2 -> "/{id}/" + parts[1];
            default -> "/unknown";
        };
    }

    /** {@code /v1/recordings/a/stop} is {@code [a, stop]}; an empty segment makes the path unknown. */
    private static String[] parts(String path) {
        String rest = path.substring(BASE.length());
        if (rest.isEmpty()) {
            return new String[0];
        }
        String[] parts = rest.substring(1).split("/", -1);
        return Arrays.stream(parts).anyMatch(String::isEmpty) ? new String[] {"", "", ""} : parts;
    }
}
