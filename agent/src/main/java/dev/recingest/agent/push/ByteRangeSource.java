package dev.recingest.agent.push;

import dev.recingest.protocol.Mode;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code stream} mode: the file as consecutive byte ranges of {@code chunkSize} (the last one shorter),
 * the way MediaRecorder hands out a recording. Only the first chunk holds the container header.
 */
public final class ByteRangeSource implements ChunkSource {

    public static final int DEFAULT_CHUNK_SIZE = 256 * 1024;

    private final FileChannel channel;
    private final long size;
    private final int chunkSize;
    private final String contentType;

    public ByteRangeSource(Path file, int chunkSize, String contentType) throws IOException {
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunkSize must be positive");
        }
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.size = channel.size();
        if (size == 0) {
            channel.close();
            throw new IllegalArgumentException(file + " is empty");
        }
        if ((size + chunkSize - 1) / chunkSize > Integer.MAX_VALUE) {
            channel.close();
            throw new IllegalArgumentException("chunkSize " + chunkSize + " is too small for " + size + " bytes");
        }
        this.chunkSize = chunkSize;
        this.contentType = contentType != null ? contentType : ContentTypes.require(file);
    }

    @Override
    public String contentType() {
        return contentType;
    }

    @Override
    public Mode mode() {
        return Mode.STREAM;
    }

    @Override
    public int count() {
        return (int) ((size + chunkSize - 1) / chunkSize);
    }

    @Override
    public byte[] read(int index) throws IOException {
        if (index < 0 || index >= count()) {
            throw new IndexOutOfBoundsException("chunk " + index + " of " + count());
        }
        long offset = (long) index * chunkSize;
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(chunkSize, size - offset));
        while (buf.hasRemaining()) {
            if (channel.read(buf, offset + buf.position()) < 0) {
                throw new EOFException("file shrank while it was being pushed");
            }
        }
        return buf.array();
    }

    @Override
    public long totalBytes() {
        return size;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
