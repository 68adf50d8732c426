package dev.recingest.bench;

/**
 * One simulated recorder. Saturating lanes send whenever their unacked window allows; paced lanes send
 * one chunk per {@link #tick()} (and skip a tick their window cannot take, counted as a failure).
 */
interface Lane {

    /** Starts sending as fast as the window allows. */
    void saturate();

    /** One chunk now, for paced load. */
    void tick();

    /** Stops sending new chunks; in-flight ones may still be acked. */
    void halt();

    void close();
}
