package dev.recingest.media;

/** A probe that failed: unreadable input, or one that ran past its timeout ({@link #timedOut()}). */
public final class ProbeException extends Exception {

    private static final long serialVersionUID = 1L;
    private final boolean timedOut;

    public ProbeException(String message, boolean timedOut) {
        super(message);
        this.timedOut = timedOut;
    }

    public boolean timedOut() {
        return timedOut;
    }
}
