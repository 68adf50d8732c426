package dev.recingest.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** This machine's name, for consumer names in Redis groups ({@code HOSTNAME} first: set in containers). */
public final class HostName {

    private HostName() {
    }

    /** The host name, or {@code fallback} when it cannot be found. */
    public static String current(String fallback) {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return fallback;
        }
    }
}
