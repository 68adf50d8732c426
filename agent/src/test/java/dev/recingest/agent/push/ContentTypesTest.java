package dev.recingest.agent.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ContentTypesTest {

    @Test
    void fromExtension() {
        assertEquals("video/webm", ContentTypes.require(Path.of("a/b.webm")));
        assertEquals("video/mp4", ContentTypes.require(Path.of("b.MP4")));
        assertEquals("video/mp4", ContentTypes.require(Path.of("b.m4v")));
        assertEquals("video/mp2t", ContentTypes.require(Path.of("seg.ts")));
        assertEquals("video/x-matroska", ContentTypes.require(Path.of("x.mkv")));
        assertTrue(ContentTypes.of(Path.of("noext")).isEmpty());
        assertTrue(ContentTypes.of(Path.of("x.txt")).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> ContentTypes.require(Path.of("x.avi")));
    }
}
