package dev.recingest.client;

import dev.recingest.protocol.Message;

/**
 * Optional observer of an {@link IngestClient}, for progress logs and tests. Every method is called
 * on the client's own event thread, in the order things happened, and must return quickly.
 */
public interface ClientListener {

    ClientListener NONE = new ClientListener() {
    };

    /** Every control message received from the gateway, before the client acts on it. */
    default void onMessage(Message message) {
    }

    /** A resumable close happened; the client will reconnect after a backoff. */
    default void onReconnecting(int attempt, CloseStatus cause) {
    }

    /** A reconnect succeeded: the gateway answered {@code started} again and unacked chunks are being resent. */
    default void onResumed(Message.Started started) {
    }

    /** The last connection of this client closed; nothing more will happen. */
    default void onClosed(CloseStatus status) {
    }
}
