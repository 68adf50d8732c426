package dev.recingest.gateway.web;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.Locale;

/**
 * Who may get a development token: a browser on this machine, talking to this gateway directly. A token
 * lets its holder record under {@code demo-*}, so even in {@code all} (which binds 127.0.0.1 unless told
 * otherwise) the endpoint refuses
 * <ul>
 *   <li>peers that are not loopback ({@code all} started with {@code RECINGEST_HOST=0.0.0.0});</li>
 *   <li>requests relayed by a proxy ({@code X-Forwarded-For} / {@code Forwarded}: the real client is elsewhere);</li>
 *   <li>a {@code Host} that is not a loopback name: a page of another site whose name was re-pointed at
 *       127.0.0.1 (DNS rebinding) is same-origin with that name, not with {@code localhost};</li>
 *   <li>an {@code Origin} other than the gateway's own: another site's page posting here.</li>
 * </ul>
 */
final class DemoTokenGuard {

    /** Null when the request may have a token, else why not. */
    String refusal(SocketAddress peer, HttpHeaders headers) {
        if (!(peer instanceof InetSocketAddress a) || a.getAddress() == null || !a.getAddress().isLoopbackAddress()) {
            return "development tokens are only for browsers on the gateway's own machine";
        }
        if (headers.contains("X-Forwarded-For") || headers.contains("Forwarded")) {
            return "development tokens are not handed out through a proxy";
        }
        String host = headers.get(HttpHeaderNames.HOST);
        if (host == null || !isLoopbackName(hostName(host))) {
            return "development tokens need a loopback Host (127.0.0.1 or localhost)";
        }
        String origin = headers.get(HttpHeaderNames.ORIGIN);
        if (origin != null && !origin.equalsIgnoreCase("http://" + host) && !origin.equalsIgnoreCase("https://" + host)) {
            return "development tokens are only for the demo page itself";
        }
        return null;
    }

    /** {@code host[:port]} or {@code [v6][:port]} without the port. */
    private static String hostName(String hostHeader) {
        try {
            String h = URI.create("http://" + hostHeader).getHost();
            return h == null ? "" : h.toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private static boolean isLoopbackName(String name) {
        if (name.equals("localhost") || name.endsWith(".localhost")) {
            return true;
        }
        String literal = name.startsWith("[") && name.endsWith("]") ? name.substring(1, name.length() - 1) : name;
        if (!literal.matches("[0-9.]+|[0-9a-f:]*:[0-9a-f:]*")) {
            return false; // a name: never resolved here (it may point anywhere, which is the attack)
        }
        try {
            return InetAddress.getByName(literal).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
