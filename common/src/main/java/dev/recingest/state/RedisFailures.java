package dev.recingest.state;

import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;

/**
 * What a failed Redis call means for a caller. Redis being unreachable, restarting, loading its data,
 * busy, failing over or read-only for a moment is an outage the caller can retry through
 * (STORAGE_UNAVAILABLE, HTTP 503), not a server fault (INTERNAL, HTTP 500 or close 1011); an error a
 * script or command itself raised stays INTERNAL, because retrying it gives the same answer.
 */
public final class RedisFailures {

    /** Replies of a server that cannot serve now but will: loading, busy script, failover, cluster resharding. */
    private static final String[] TRANSIENT_REPLIES = {"LOADING", "BUSY", "READONLY", "MASTERDOWN", "CLUSTERDOWN",
        "TRYAGAIN", "NOREPLICAS"};

    private RedisFailures() {
    }

    /** The IngestException in {@code error}'s causes; else STORAGE_UNAVAILABLE for a Redis outage; else INTERNAL. */
    public static IngestException classify(Throwable error) {
        for (Throwable c = error; c != null; c = c.getCause()) {
            if (c instanceof IngestException ie) {
                return ie;
            }
            if (c instanceof RedisException re && isTransient(re)) {
                return new IngestException(ErrorCode.STORAGE_UNAVAILABLE, "recording state is unavailable: "
                        + re.getClass().getSimpleName(), re);
            }
        }
        return IngestException.from(error);
    }

    private static boolean isTransient(RedisException e) {
        if (!(e instanceof RedisCommandExecutionException)) {
            return true; // connection refused or closed, command timeout, no node for a slot
        }
        String reply = e.getMessage() == null ? "" : e.getMessage();
        for (String prefix : TRANSIENT_REPLIES) {
            if (reply.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
