package dev.recingest.webhook;

import dev.recingest.events.Outbox;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts the outbox events trimmed away (the publisher caps the stream at RECINGEST_WEBHOOK_OUTBOX_MAX)
 * before one URL's consumer group read them: a receiver that was down for long enough never gets them, and
 * {@code recingest_webhook_events_trimmed_total} says how many. Exact on Redis ≥ 7 from the stream's
 * {@code entries-added} and the group's {@code entries-read}: once the oldest entry left is newer than the last
 * one delivered to the group, every entry added since then that is not in the stream any more was trimmed
 * unread. Redis 6.2 keeps neither counter, and this counts nothing there (only events trimmed after their
 * delivery began, see {@link DeliveryLane}). Every process delivering to the URL sees the same gap; the first
 * to claim it in Redis counts it.
 */
final class TrimWatch {

    private static final long CLAIM_MILLIS = 24 * 3600 * 1000L;

    private final String group;

    TrimWatch(String group) {
        this.group = group;
    }

    /** The events trimmed before the group read them that no process has counted yet (0 when none, or unknown). */
    long newlyTrimmed(RedisClusterCommands<String, String> sync) {
        Map<String, Object> stream = map(sync.xinfoStream(Outbox.STREAM));
        Map<String, Object> mine = null;
        for (Object g : sync.xinfoGroups(Outbox.STREAM)) {
            Map<String, Object> m = map((List<?>) g);
            if (group.equals(m.get("name"))) {
                mine = m;
            }
        }
        if (mine == null || !(stream.get("entries-added") instanceof Long added)
                || !(stream.get("first-entry") instanceof List<?> first) || first.isEmpty()) {
            return 0;
        }
        String lastDelivered = String.valueOf(mine.get("last-delivered-id"));
        // A group made (with "$") on a new, empty stream has read nothing and says so with no counter at all.
        Long read = mine.get("entries-read") instanceof Long r ? r : "0-0".equals(lastDelivered) ? Long.valueOf(0) : null;
        if (read == null) {
            return 0;
        }
        if (compare(String.valueOf(first.get(0)), lastDelivered) <= 0) {
            return 0;
        }
        long trimmed = added - read - (Long) stream.get("length");
        if (trimmed <= 0) {
            return 0;
        }
        String claim = sync.set("recingest:webhook-trimmed:" + group + ":" + lastDelivered, Long.toString(trimmed),
                SetArgs.Builder.nx().px(CLAIM_MILLIS));
        return "OK".equals(claim) ? trimmed : 0;
    }

    private static Map<String, Object> map(List<?> flat) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            m.put(String.valueOf(flat.get(i)), flat.get(i + 1));
        }
        return m;
    }

    /** Compares two stream entry ids ({@code ms-seq}). */
    static int compare(String a, String b) {
        String[] x = a.split("-", 2);
        String[] y = b.split("-", 2);
        int c = Long.compare(Long.parseLong(x[0]), Long.parseLong(y[0]));
        return c != 0 ? c : Long.compare(x.length > 1 ? Long.parseLong(x[1]) : 0, y.length > 1 ? Long.parseLong(y[1]) : 0);
    }
}
