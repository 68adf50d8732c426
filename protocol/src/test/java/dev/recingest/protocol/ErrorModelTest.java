package dev.recingest.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The error model (issue 11, item 5) keeps PROTOCOL.md's {@code error} message byte for byte: the typed
 * {@link ErrorDetail} becomes exactly the optional fields the message had before, the helper methods are not
 * JSON properties, and a code from a newer peer still parses.
 */
class ErrorModelTest {

    @Test
    void eachDetailBecomesTheFieldsPROTOCOLmdNames() {
        assertEquals("{\"type\":\"error\",\"code\":\"SEQ_GAP\",\"message\":\"seq 7 is ahead; resend from 5\",\"seq\":7,\"expected\":5}",
                Json.write(Message.Error.of("SEQ_GAP", "seq 7 is ahead; resend from 5", new ErrorDetail.SeqGap(7, 5))));
        assertEquals("{\"type\":\"error\",\"code\":\"INCOMPLETE\",\"message\":\"2 chunk(s) missing\",\"missing\":[5,9]}",
                Json.write(Message.Error.of("INCOMPLETE", "2 chunk(s) missing", new ErrorDetail.Missing(List.of(5L, 9L)))));
        assertEquals("{\"type\":\"error\",\"code\":\"NOT_OPEN\",\"message\":\"recording is STOPPED\",\"state\":\"STOPPED\"}",
                Json.write(Message.Error.of("NOT_OPEN", "recording is STOPPED", new ErrorDetail.State("STOPPED"))));
        assertEquals("{\"type\":\"error\",\"code\":\"BAD_REQUEST\",\"message\":\"no\"}",
                Json.write(Message.Error.of("BAD_REQUEST", "no", null)));
        // The same bytes as the record built field by field, the way the gateway built it before.
        assertEquals(Json.write(new Message.Error("SEQ_GAP", "m", 7L, 5L, null, null)),
                Json.write(Message.Error.of("SEQ_GAP", "m", new ErrorDetail.SeqGap(7, 5))));
    }

    @Test
    void theAdminApiBodyGetsTheSameFieldNames() {
        assertEquals("{\"state\":\"MERGING\"}", Json.write(new ErrorDetail.State("MERGING")));
        assertEquals("{\"missing\":[1,2]}", Json.write(new ErrorDetail.Missing(List.of(1L, 2L))));
        assertEquals("{\"seq\":3,\"expected\":1}", Json.write(new ErrorDetail.SeqGap(3, 1)));
    }

    @Test
    void aReaderGetsTheCodeAndTheTypedDetailBack() {
        Message.Error gap = (Message.Error) Json.readMessage(
                "{\"type\":\"error\",\"code\":\"SEQ_GAP\",\"message\":\"m\",\"seq\":7,\"expected\":5}");
        assertEquals(Optional.of(ErrorCode.SEQ_GAP), gap.errorCode());
        assertEquals(new ErrorDetail.SeqGap(7, 5), gap.detail());
        Message.Error incomplete = (Message.Error) Json.readMessage(
                "{\"type\":\"error\",\"code\":\"INCOMPLETE\",\"missing\":[5,9]}");
        assertEquals(new ErrorDetail.Missing(List.of(5L, 9L)), incomplete.detail());
        Message.Error notOpen = (Message.Error) Json.readMessage(
                "{\"type\":\"error\",\"code\":\"NOT_OPEN\",\"state\":\"ABORTED\"}");
        assertEquals(new ErrorDetail.State("ABORTED"), notOpen.detail());
        assertNull(((Message.Error) Json.readMessage("{\"type\":\"error\",\"code\":\"INTERNAL\"}")).detail());
    }

    @Test
    void aCodeFromANewerPeerParsesAndStaysRaw() {
        Message.Error e = (Message.Error) Json.readMessage(
                "{\"type\":\"error\",\"code\":\"QUOTA_EXCEEDED\",\"message\":\"later\",\"quota\":3}");
        assertEquals("QUOTA_EXCEEDED", e.code());
        assertEquals(Optional.empty(), e.errorCode());
        assertEquals(Optional.empty(), ErrorCode.fromWire(null));
        for (ErrorCode c : ErrorCode.values()) {
            assertEquals(Optional.of(c), ErrorCode.fromWire(c.name()));
        }
    }

    @Test
    void theProtocolsOwnParsingThrowsTheErrorModel() {
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(IngestException.class, () -> RecordingId.of("../x")).code());
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(IngestException.class, () -> Mode.fromWire("mp4")).code());
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(IngestException.class, () -> Json.readMessage("{\"type\":\"dance\"}")).code());
        IngestException unknown = IngestException.from(new java.util.concurrent.CompletionException(new IllegalStateException("x")));
        assertEquals(ErrorCode.INTERNAL, unknown.code());
        assertNull(unknown.detail());
    }
}
