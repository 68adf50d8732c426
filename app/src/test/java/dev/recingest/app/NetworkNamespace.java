package dev.recingest.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace of the test's own ({@code ip netns}) joined to the host by a veth pair on a /30 of
 * 10.213.0.0/16: processes started with {@link #prefix} run in it and reach the host at {@link #hostIp}, the
 * host reaches them at {@link #innerIp}. {@link #cut} drops (iptables DROP in the namespace, so nothing is
 * refused, packets just vanish, as in a real partition) what the namespace sends to one host port until
 * {@link #heal}. Needs root, iproute2 and iptables; {@link #unavailable} says why not.
 */
final class NetworkNamespace implements AutoCloseable {

    final String name;
    final String hostIp;
    final String innerIp;
    private final String hostLink;
    private final List<String> rules = new ArrayList<>();

    private NetworkNamespace(String name, String hostLink, String hostIp, String innerIp) {
        this.name = name;
        this.hostLink = hostLink;
        this.hostIp = hostIp;
        this.innerIp = innerIp;
    }

    /** Why a namespace cannot be made here, or empty when it can. */
    static Optional<String> unavailable() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("not root: no network namespace can be made, so this test is skipped");
        }
        for (String tool : List.of("ip", "iptables")) {
            if (run(List.of("sh", "-c", "command -v " + tool)).exit() != 0) {
                return Optional.of(tool + " is not installed, so this test is skipped (apt-get install iproute2 iptables)");
            }
        }
        return Optional.empty();
    }

    static NetworkNamespace create() {
        int id = ThreadLocalRandom.current().nextInt(1 << 16);
        int third = id & 0xff;
        int fourth = (id >> 8 & 0x3f) * 4;
        String suffix = Integer.toHexString(id);
        NetworkNamespace ns = new NetworkNamespace("rcg-" + suffix + "-" + ProcessHandle.current().pid(),
                "rcgh" + suffix, "10.213." + third + "." + (fourth + 1), "10.213." + third + "." + (fourth + 2));
        String inner = "rcgn" + suffix;
        try {
            ns.must("ip", "netns", "add", ns.name);
            ns.must("ip", "link", "add", ns.hostLink, "type", "veth", "peer", "name", inner);
            ns.must("ip", "link", "set", inner, "netns", ns.name);
            ns.must("ip", "addr", "add", ns.hostIp + "/30", "dev", ns.hostLink);
            ns.must("ip", "link", "set", ns.hostLink, "up");
            ns.must("ip", "netns", "exec", ns.name, "ip", "addr", "add", ns.innerIp + "/30", "dev", inner);
            ns.must("ip", "netns", "exec", ns.name, "ip", "link", "set", inner, "up");
            ns.must("ip", "netns", "exec", ns.name, "ip", "link", "set", "lo", "up");
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** What runs a command in the namespace. */
    List<String> prefix() {
        return List.of("ip", "netns", "exec", name);
    }

    /** From now on, whatever the namespace sends to {@code port} on the host is dropped. */
    void cut(int port) {
        String rule = "OUTPUT -d " + hostIp + " -p tcp --dport " + port + " -j DROP";
        must(command("-A", rule));
        rules.add(rule);
    }

    /** Lifts every {@link #cut}. */
    void heal() {
        for (String rule : rules) {
            must(command("-D", rule));
        }
        rules.clear();
    }

    private List<String> command(String op, String rule) {
        List<String> cmd = new ArrayList<>(prefix());
        cmd.add("iptables");
        cmd.add(op);
        cmd.addAll(List.of(rule.split(" ")));
        return cmd;
    }

    @Override
    public void close() {
        run(List.of("ip", "link", "del", hostLink));
        run(List.of("ip", "netns", "del", name));
    }

    private void must(String... command) {
        must(List.of(command));
    }

    private void must(List<String> command) {
        Result r = run(command);
        if (r.exit() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + r.exit() + "): " + r.output());
        }
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(p.exitValue(), out.trim());
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
