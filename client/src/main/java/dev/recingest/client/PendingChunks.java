package dev.recingest.client;

import dev.recingest.protocol.Message;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The chunks sent (or queued) and not yet acked, which is everything a resend may need. Ordered by
 * key: the seq in explicit mode, the submission order in at-least-once mode, so that "resend in seq
 * order" is a walk over the map. Confined to the client's event thread.
 *
 * <p>At-least-once chunks carry no seq the gateway echoes, only the index it assigns in arrival
 * order; since one connection delivers frames in the order they were written, the n-th frame
 * written after {@code started} gets index {@code nextSeq + n}. That expected index is how their
 * acks find them.
 */
final class PendingChunks {

    /** One unacked chunk. The frame is encoded once and sent as a duplicate each time. */
    static final class Pending {
        final long seq;
        final ByteBuffer frame;
        final int size;
        final CompletableFuture<Message.Ack> future;
        long key;
        int nacks;
        /** Position of the last send in this client's stream of frames; -1 before the first. */
        long lastSendOrdinal = -1;
        /**
         * Explicit mode: positions of this chunk's sends not answered yet (by a nack or SEQ_GAP),
         * oldest first. The gateway answers one connection's frames in order, so an answer for this
         * seq belongs to the oldest of them.
         */
        final ArrayDeque<Long> unanswered = new ArrayDeque<>(2);
        /** At-least-once mode: the index the last send should get; -1 when unknown. */
        long expectedIndex = -1;

        Pending(long seq, ByteBuffer frame, int size, CompletableFuture<Message.Ack> future) {
            this.seq = seq;
            this.frame = frame;
            this.size = size;
            this.future = future;
        }
    }

    private final TreeMap<Long, Pending> byKey = new TreeMap<>();
    private final Map<Long, Pending> byExpectedIndex = new HashMap<>();
    private long bytes;
    private int sent;

    boolean add(Pending p) {
        if (byKey.putIfAbsent(p.key, p) != null) {
            return false;
        }
        bytes += p.size;
        return true;
    }

    Pending get(long key) {
        return byKey.get(key);
    }

    boolean holds(Pending p) {
        return byKey.get(p.key) == p;
    }

    void remove(Pending p) {
        if (byKey.remove(p.key, p)) {
            bytes -= p.size;
            if (p.lastSendOrdinal >= 0) {
                sent--;
            }
        }
        if (p.expectedIndex >= 0) {
            byExpectedIndex.remove(p.expectedIndex, p);
        }
    }

    void markSent(Pending p, long ordinal) {
        if (p.lastSendOrdinal < 0 && holds(p)) {
            sent++;
        }
        p.lastSendOrdinal = ordinal;
        p.unanswered.addLast(ordinal);
    }

    /** The position of the send an answer (nack, SEQ_GAP) for {@code p} refers to, or -1 if unknown. */
    static long answered(Pending p) {
        Long o = p.unanswered.pollFirst();
        return o == null ? -1 : o;
    }

    /** A new connection answers nothing sent on the old one. */
    void forgetSends() {
        for (Pending p : byKey.values()) {
            p.unanswered.clear();
        }
    }

    void expectIndex(Pending p, long index) {
        forgetIndex(p);
        p.expectedIndex = index;
        byExpectedIndex.put(index, p);
    }

    void forgetIndex(Pending p) {
        if (p.expectedIndex >= 0) {
            byExpectedIndex.remove(p.expectedIndex, p);
            p.expectedIndex = -1;
        }
    }

    /** At-least-once mode: the chunk an ack or nack with this index answers, or null. */
    Pending byIndex(long index) {
        return byExpectedIndex.get(index);
    }

    /** Index expectations die with their connection: a resend after resume gets a new index. */
    void forgetIndices() {
        for (Pending p : byExpectedIndex.values()) {
            p.expectedIndex = -1;
        }
        byExpectedIndex.clear();
    }

    /** In key order. */
    Collection<Pending> inOrder() {
        return new ArrayList<>(byKey.values());
    }

    /** Keys {@code >= fromKey}, in order. */
    Collection<Pending> from(long fromKey) {
        return new ArrayList<>(byKey.tailMap(fromKey, true).values());
    }

    /** Removes and returns everything. */
    List<Pending> drain() {
        List<Pending> all = new ArrayList<>(byKey.values());
        byKey.clear();
        byExpectedIndex.clear();
        bytes = 0;
        sent = 0;
        return all;
    }

    boolean isEmpty() {
        return byKey.isEmpty();
    }

    /** True when at least one held chunk has gone out, so an ack is due. */
    boolean anySent() {
        return sent > 0;
    }

    int size() {
        return byKey.size();
    }

    long bytes() {
        return bytes;
    }
}
