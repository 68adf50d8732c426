package dev.recingest.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's nginx config passes {@code nginx -t} with the nginx the tests run (Debian 12's is 1.22):
 * {@code nginx/nginx.conf} as is, with a loopback {@code upstreams.conf} as the multi-gateway tests write
 * it, and with the compose {@code nginx/upstreams.conf}. That file uses {@code resolve}, which needs
 * nginx ≥ 1.27.3 (the compose image is 1.28); with an older nginx it is checked as such an nginx must be
 * given it: without {@code resolve}, and with names this machine resolves.
 */
class NginxConfigTest {

    private static final Pattern VERSION = Pattern.compile("nginx/(\\d+)\\.(\\d+)\\.(\\d+)");

    @TempDir
    Path prefix;
    private Path nginx;

    @BeforeEach
    void tool() throws Exception {
        nginx = Tools.require("nginx", "apt-get install nginx; CI installs it");
        String conf = Files.readString(Tools.file("nginx/nginx.conf"));
        // app's Nginx test helper moves the port by replacing exactly this line.
        assertTrue(conf.contains("listen 8080;"), "nginx/nginx.conf must keep 'listen 8080;'");
        Files.writeString(prefix.resolve("nginx.conf"), conf);
    }

    @Test
    void withLoopbackGateways() throws Exception {
        Files.writeString(prefix.resolve("upstreams.conf"),
                "server 127.0.0.1:18081 max_fails=2 fail_timeout=10s;\nserver 127.0.0.1:18082 max_fails=2 fail_timeout=10s;\n");
        check();
    }

    @Test
    void withTheComposeUpstreams() throws Exception {
        String upstreams = Files.readString(Tools.file("nginx/upstreams.conf"));
        assertTrue(upstreams.contains(" resolve "), "the compose upstreams find recreated gateways with resolve");
        if (!resolveSupported()) {
            upstreams = upstreams.replace(" resolve ", " ").replaceAll("(?m)^server gateway-\\d+:", "server 127.0.0.1:");
            System.out.println("nginx " + version() + " predates 'resolve' (1.27.3): checking upstreams.conf without it");
        }
        Files.writeString(prefix.resolve("upstreams.conf"), upstreams);
        check();
    }

    private void check() {
        String p = prefix.toAbsolutePath() + "/";
        Tools.Run run = Tools.run(prefix, nginx.toString(), "-t", "-p", p, "-c", p + "nginx.conf", "-e", "stderr");
        run.assertOk("nginx -t");
        assertTrue(run.output().contains("test is successful"), run.output());
    }

    private boolean resolveSupported() {
        Matcher m = VERSION.matcher(version());
        assertTrue(m.find(), version());
        int[] v = {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
        return v[0] > 1 || v[1] > 27 || (v[1] == 27 && v[2] >= 3);
    }

    private String version() {
        return Tools.run(prefix, nginx.toString(), "-v").output().trim();
    }
}
