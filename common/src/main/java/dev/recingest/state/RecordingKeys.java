package dev.recingest.state;

import dev.recingest.protocol.RecordingId;

/** Redis key names; see package-info for what each holds. */
public final class RecordingKeys {

    public static final String RECORDINGS_INDEX = "recingest:recordings";
    /** Recordings the janitor watches, scored by when it should look at each next (epoch ms). */
    public static final String OPEN_INDEX = "recingest:open";
    public static final String MERGE_JOBS = "recingest:merge-jobs";
    public static final String JANITOR_LOCK = "recingest:janitor-lock";
    /** Recordings with live rendition work to do, scored by when a worker should look at each (epoch ms). */
    public static final String LIVE_INDEX = "recingest:live";

    final String meta;
    final String next;
    final String stored;
    final String voids;
    final String parts;
    final String live;
    final String liveLease;

    public RecordingKeys(RecordingId id) {
        String tag = "rec:{" + id.value() + "}:";
        this.meta = tag + "meta";
        this.next = tag + "next";
        this.stored = tag + "stored";
        this.voids = tag + "void";
        this.parts = tag + "parts";
        this.live = tag + "live";
        this.liveLease = tag + "live-lease";
    }

    public String meta() {
        return meta;
    }

    public String next() {
        return next;
    }

    public String stored() {
        return stored;
    }

    public String voids() {
        return voids;
    }

    /** The part boundaries after part 0: first seq to start time (see {@link PartStart}). */
    public String parts() {
        return parts;
    }

    public String live() {
        return live;
    }

    public String liveLease() {
        return liveLease;
    }

    /** Every key of the recording; the scripts that take them all rely on this order (the live keys last). */
    public String[] all() {
        return new String[] {meta, next, stored, voids, parts, live, liveLease};
    }
}
