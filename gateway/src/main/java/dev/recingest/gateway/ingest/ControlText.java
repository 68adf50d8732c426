package dev.recingest.gateway.ingest;

import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import io.netty.buffer.ByteBuf;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The text of a control message, decoded strictly. A lenient decode would turn invalid UTF-8 into
 * replacement characters and accept the message; PROTOCOL.md says text frames carry UTF-8 JSON, so
 * invalid UTF-8 is a protocol error (BAD_REQUEST, 4400) like invalid JSON. This check replaces the frame
 * decoder's own, which would close with a bare 1007 and no error message.
 */
final class ControlText {

    private ControlText() {
    }

    static String decode(ByteBuf content) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(content.nioBuffer())
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IngestException(ErrorCode.BAD_REQUEST, "control message is not valid UTF-8");
        }
    }
}
