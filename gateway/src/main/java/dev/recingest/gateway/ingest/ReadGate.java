package dev.recingest.gateway.ingest;

import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import java.util.EnumSet;

/**
 * The one place that decides whether a connection reads: it reads while nothing holds it back. Every
 * reason to stop reading is named, and each is lifted only by whoever set it, so one reason ending
 * (an ack that brings the connection under its window) can no longer switch reading back on while another
 * still holds (a drain, a start being answered, the global in-flight limit). Only the connection's event
 * loop touches it.
 */
final class ReadGate {

    /** Why a connection is not reading. */
    enum Reason {
        /** {@code start} is being answered; chunks wait in the kernel, not in the gateway. */
        STARTING,
        /** {@code part} is being answered: the chunks after it (the new part's) wait in the kernel. */
        PARTING,
        /** Its own unacked bytes are over the window. */
        WINDOW,
        /** The gateway's unacked bytes are over the global limit. */
        GLOBAL,
        /** The connection is ending after its writes in flight (a drain, an expired token). */
        CLOSING
    }

    private final Channel channel;
    private final EnumSet<Reason> holding = EnumSet.noneOf(Reason.class);

    ReadGate(Channel channel) {
        this.channel = channel;
    }

    Channel channel() {
        return channel;
    }

    void hold(Reason reason) {
        if (holding.add(reason)) {
            apply();
        }
    }

    void lift(Reason reason) {
        if (holding.remove(reason)) {
            apply();
        }
    }

    boolean holds(Reason reason) {
        return holding.contains(reason);
    }

    private void apply() {
        if (channel instanceof DuplexChannel d && d.isOutputShutdown()) {
            return; // closing: the lingering close reads (and discards) whatever the client still sends
        }
        boolean read = holding.isEmpty();
        if (channel.config().isAutoRead() != read) {
            channel.config().setAutoRead(read);
        }
    }
}
