package dev.recingest.agent.push;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.recingest.protocol.Mode;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ByteRangeSourceTest {

    @TempDir
    Path tmp;

    @Test
    void rangesReassembleToTheFile() throws Exception {
        byte[] data = new byte[(1 << 20) + 123];
        new Random(7).nextBytes(data);
        Path file = Files.write(tmp.resolve("rec.webm"), data);
        try (ByteRangeSource s = new ByteRangeSource(file, 256 * 1024, null)) {
            assertEquals(5, s.count());
            assertEquals("video/webm", s.contentType());
            assertEquals(Mode.STREAM, s.mode());
            assertEquals(data.length, s.totalBytes());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 0; i < s.count(); i++) {
                out.writeBytes(s.read(i));
            }
            assertEquals(123, s.read(4).length);
            assertArrayEquals(data, out.toByteArray());
            assertArrayEquals(s.read(2), s.read(2), "random access reads the same bytes again");
        }
    }

    @Test
    void exactMultipleHasNoEmptyLastChunk() throws Exception {
        Path file = Files.write(tmp.resolve("x.ts"), new byte[1024]);
        try (ByteRangeSource s = new ByteRangeSource(file, 256, "video/mp2t")) {
            assertEquals(4, s.count());
            assertEquals(256, s.read(3).length);
        }
    }

    @Test
    void refusesEmptyFilesAndUnknownTypes() throws Exception {
        Path empty = Files.write(tmp.resolve("e.webm"), new byte[0]);
        assertThrows(IllegalArgumentException.class, () -> new ByteRangeSource(empty, 10, null));
        Path odd = Files.write(tmp.resolve("rec.bin"), new byte[3]);
        assertThrows(IllegalArgumentException.class, () -> new ByteRangeSource(odd, 10, null));
        try (ByteRangeSource s = new ByteRangeSource(odd, 10, "video/webm")) {
            assertEquals("video/webm", s.contentType());
        }
    }
}
