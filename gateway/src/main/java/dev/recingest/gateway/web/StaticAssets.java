package dev.recingest.gateway.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The browser files, read once from the jar's resources into memory. Only the names listed here exist:
 * a request path is looked up in this map, never resolved against a folder, so {@code ..}, encoded
 * slashes or absolute paths find nothing.
 */
final class StaticAssets {

    /** One file as served: its bytes, media type and entity tag (a hash of the bytes). */
    record Asset(byte[] bytes, String contentType, String etag) {
    }

    /** The recorder module's files, as listed in web/recorder/package.json "files" (a test compares them). */
    static final List<String> RECORDER_FILES = List.of("recorder.js", "session.js", "chunk-flow.js", "chunk-store.js",
            "recorder.d.ts", "README.md", "package.json");
    /** The demo page, and its live tab with the hls.js it plays with (npm's build, kept in web/demo: no CDN). */
    static final List<String> DEMO_FILES = List.of("index.html", "demo.js", "demo.css", "live.html", "live.js",
            "hls.light.min.mjs", "hls.js-LICENSE.txt");

    private static final String ROOT = "/dev/recingest/gateway/web/";
    private static final Map<String, String> TYPES = Map.of(
            "js", "text/javascript; charset=utf-8",
            "mjs", "text/javascript; charset=utf-8",
            "txt", "text/plain; charset=utf-8",
            "ts", "application/typescript; charset=utf-8",
            "md", "text/markdown; charset=utf-8",
            "json", "application/json; charset=utf-8",
            "html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8");

    private final Map<String, Asset> byPath = new LinkedHashMap<>();

    /** Loads {@code /recorder/<file>} always and {@code /demo/<file>} when {@code withDemo}. */
    static StaticAssets load(boolean withDemo) {
        StaticAssets a = new StaticAssets();
        RECORDER_FILES.forEach(f -> a.add("recorder/", f));
        if (withDemo) {
            DEMO_FILES.forEach(f -> a.add("demo/", f));
        }
        return a;
    }

    Optional<Asset> find(String path) {
        return Optional.ofNullable(byPath.get(path));
    }

    private void add(String folder, String file) {
        String resource = ROOT + folder + file;
        try (InputStream in = StaticAssets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the gateway jar lacks " + resource + " (built without web/?)");
            }
            byte[] bytes = in.readAllBytes();
            String ext = file.substring(file.lastIndexOf('.') + 1);
            byPath.put("/" + folder + file, new Asset(bytes, TYPES.get(ext), etag(bytes)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
