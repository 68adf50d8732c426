package dev.recingest.events;

/**
 * The outbox stream's layout, shared by the publisher and the webhook delivery: one entry per event with
 * the fields {@code id}, {@code type} and {@code body} (the exact JSON that is signed and sent). The
 * entry's stream id also says when it was published (its millisecond part), which bounds retries.
 */
public final class Outbox {

    public static final String STREAM = "recingest:webhook-events";
    public static final String FIELD_ID = "id";
    public static final String FIELD_TYPE = "type";
    public static final String FIELD_BODY = "body";
    /** Entries kept (approximately): about 0.5 KiB each, so the default bounds the outbox near 50 MiB. */
    public static final long DEFAULT_MAX_LENGTH = 100_000;

    private Outbox() {
    }

    /** The epoch ms part of a stream entry id ({@code 1700000000000-0}). */
    public static long publishedAt(String entryId) {
        int dash = entryId.indexOf('-');
        return Long.parseLong(dash < 0 ? entryId : entryId.substring(0, dash));
    }
}
