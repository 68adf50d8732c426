package dev.recingest.gateway.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RepliesTest {

    @Test
    void aShortReasonIsKept() {
        assertEquals("done", Replies.closeReason("done"));
    }

    @Test
    void aReasonIsCutToAtMost123BytesOfUtf8AtACharacterBoundary() {
        for (String unit : new String[] {"x", "é", "€", "😀"}) {
            for (int pad = 0; pad < 4; pad++) {
                String reason = "a".repeat(pad) + unit.repeat(200);
                String cut = Replies.closeReason(reason);
                byte[] utf8 = cut.getBytes(StandardCharsets.UTF_8);
                assertTrue(utf8.length <= 123, unit + "/" + pad + ": " + utf8.length + " bytes");
                assertTrue(utf8.length > 123 - unit.getBytes(StandardCharsets.UTF_8).length, "cut no shorter than needed");
                assertTrue(reason.startsWith(cut), "a prefix of whole characters");
            }
        }
    }
}
