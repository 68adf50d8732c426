package dev.recingest.client.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The admin API's read endpoints as canned answers, for the client's unit tests. Each recording
 * answers its list of JSON bodies in turn (the last one repeats), so a test can script MERGING then
 * COMPLETED. {@code /v1/recordings/{id}/output} redirects to {@code /presigned/{id}}, which serves bytes.
 */
public final class FakeAdminApi implements AutoCloseable {

    public final Map<String, List<String>> bodies = new ConcurrentHashMap<>();
    public final Map<String, byte[]> outputs = new ConcurrentHashMap<>();
    /** Authorization header of every request, by path ("" when absent). */
    public final List<String> seen = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> served = new ConcurrentHashMap<>();
    private final String token;
    private final HttpServer server;

    public FakeAdminApi(String token) throws IOException {
        this.token = token;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    public URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        seen.add(path + " " + (auth == null ? "" : auth));
        if (path.startsWith("/presigned/")) {
            byte[] b = outputs.get(path.substring("/presigned/".length()));
            reply(ex, b == null ? 404 : 200, b == null ? new byte[0] : b);
            return;
        }
        if (!("Bearer " + token).equals(auth)) {
            reply(ex, 401, "{\"status\":401,\"code\":\"UNAUTHORIZED\",\"message\":\"admin token required\"}"
                    .getBytes(StandardCharsets.UTF_8));
            return;
        }
        String rest = path.substring("/v1/recordings/".length());
        if (rest.endsWith("/output")) {
            String id = rest.substring(0, rest.length() - "/output".length());
            if (!outputs.containsKey(id)) {
                reply(ex, 409, ("{\"status\":409,\"code\":\"CONFLICT\",\"message\":\"recording is MERGING, not COMPLETED\","
                        + "\"state\":\"MERGING\"}").getBytes(StandardCharsets.UTF_8));
                return;
            }
            ex.getResponseHeaders().add("Location", "/presigned/" + id);
            ex.sendResponseHeaders(302, -1);
            ex.close();
            return;
        }
        List<String> script = bodies.get(rest);
        if (script == null) {
            reply(ex, 404, "{\"status\":404,\"code\":\"NOT_FOUND\",\"message\":\"no such recording\"}"
                    .getBytes(StandardCharsets.UTF_8));
            return;
        }
        int n = served.merge(rest, 1, Integer::sum) - 1;
        reply(ex, 200, script.get(Math.min(n, script.size() - 1)).getBytes(StandardCharsets.UTF_8));
    }

    private static void reply(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            ex.getResponseBody().write(body);
        }
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
