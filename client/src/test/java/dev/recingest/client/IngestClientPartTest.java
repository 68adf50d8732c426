package dev.recingest.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.protocol.Message;
import dev.recingest.protocol.Mode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link IngestClient#part()} against the scripted gateway (the real one does not answer {@code part} yet). */
class IngestClientPartTest extends WithFakeGateway {


    private IngestClient started(String id) throws Exception {
        IngestClient c = new IngestClient(ClientOptions.defaults(gateway.uri(), null)
                .withResend(5, Duration.ofMillis(20), Duration.ofMillis(100)));
        c.start(id, "video/mp2t", Mode.SEGMENTS, null).get(30, TimeUnit.SECONDS);
        return c;
    }

    @Test
    void aPartIsSentOnlyOnceEveryEarlierChunkIsAckedAndTheNextChunkStartsIt() throws Exception {
        try (IngestClient c = started("parts-1")) {
            gateway.holdAcks = true;
            for (int i = 0; i < 3; i++) {
                c.send(i, new byte[] {(byte) i});
            }
            CompletableFuture<Message.PartStarted> part = c.part();
            assertThrows(IllegalStateException.class, () -> c.send(3, new byte[] {3}),
                    "no chunk may go out before the part is answered");
            Thread.sleep(300);
            assertFalse(gateway.texts.stream().anyMatch(t -> t.contains("\"part\"")), "held while chunks are unacked");
            gateway.releaseAcks();
            assertEquals(new Message.PartStarted(1, 3), part.get(30, TimeUnit.SECONDS));
            gateway.holdAcks = false;
            c.send(3, new byte[] {3}).get(30, TimeUnit.SECONDS);
            c.stop().get(30, TimeUnit.SECONDS);
        }
        assertEquals(List.of(3L), gateway.recordings.get("parts-1").partStarts);
    }

    @Test
    void aPartWhoseAnswerWasLostIsAskedAgainAfterTheResumeAndCountedOnce() throws Exception {
        try (IngestClient c = started("parts-2")) {
            c.send(0, new byte[] {0}).get(30, TimeUnit.SECONDS);
            gateway.dropPartReplyOnce = true;
            assertEquals(new Message.PartStarted(1, 1), c.part().get(30, TimeUnit.SECONDS));
            c.send(1, new byte[] {1}).get(30, TimeUnit.SECONDS);
            c.stop().get(30, TimeUnit.SECONDS);
        }
        assertEquals(2, gateway.connections.get(), "the client resumed once");
        assertEquals(2, gateway.texts.stream().filter(t -> t.contains("\"part\"")).count(), "asked twice");
        assertEquals(List.of(1L), gateway.recordings.get("parts-2").partStarts, "one part");
    }

    @Test
    void aGatewayWhoseStartedReportsNoPartsIsNotAskedAndTheSessionGoesOn() throws Exception {
        gateway.parts = false;
        try (IngestClient c = started("parts-3")) {
            c.send(0, new byte[] {0}).get(30, TimeUnit.SECONDS);
            ExecutionException e = assertThrows(ExecutionException.class, () -> c.part().get(30, TimeUnit.SECONDS));
            ClientException ce = assertInstanceOf(ClientException.class, e.getCause());
            assertEquals(ClientException.PARTS_UNSUPPORTED, ce.code());
            assertFalse(gateway.texts.stream().anyMatch(t -> t.contains("\"part\"")), "never sent");
            assertEquals(1, c.stop().get(30, TimeUnit.SECONDS).chunks(), "the recording stops with what it has");
            assertTrue(c.failure().isEmpty());
        }
    }
}
