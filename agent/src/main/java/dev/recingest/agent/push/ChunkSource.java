package dev.recingest.agent.push;

import dev.recingest.protocol.Mode;
import java.io.IOException;

/**
 * The chunks of one recording, readable in any order so that a chunk the gateway reports missing can
 * be read again instead of being held in memory until the end.
 */
public interface ChunkSource extends AutoCloseable {

    String contentType();

    Mode mode();

    /** How many chunks there are; chunk {@code i} is sent with seq {@code i}. */
    int count();

    /** The bytes of chunk {@code index}, never empty. */
    byte[] read(int index) throws IOException;

    /** The sum of all chunk sizes. */
    long totalBytes();

    /** Releases what the source holds (open files, temporary segments). */
    @Override
    void close() throws IOException;
}
