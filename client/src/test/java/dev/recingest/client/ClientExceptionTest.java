package dev.recingest.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.ErrorDetail;
import dev.recingest.protocol.Message;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The client's view of the error model: the gateway's code as an {@link ErrorCode}, the raw string kept. */
class ClientExceptionTest {

    @Test
    void aGatewayErrorComesWithItsCodeAndTypedDetail() {
        ClientException e = ClientException.fromError(
                new Message.Error("INCOMPLETE", "2 chunk(s) missing", null, null, List.of(5L, 9L), null), null);
        assertEquals(ErrorCode.INCOMPLETE, e.errorCode());
        assertEquals("INCOMPLETE", e.code());
        assertEquals(new ErrorDetail.Missing(List.of(5L, 9L)), e.detail());
        assertEquals(List.of(5L, 9L), e.missing());
    }

    @Test
    void anUnknownCodeFromANewerGatewayIsKeptRaw() {
        ClientException e = ClientException.fromError(Message.Error.of("QUOTA_EXCEEDED", "later", null), null);
        assertNull(e.errorCode());
        assertEquals("QUOTA_EXCEEDED", e.code());
        assertNull(e.detail());
        assertEquals(List.of(), e.missing());
    }

    @Test
    void theClientsOwnCodesAreNeverMistakenForTheGateways() throws IllegalAccessException {
        int checked = 0;
        for (Field f : ClientException.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                String code = (String) f.get(null);
                assertEquals(Optional.empty(), ErrorCode.fromWire(code), code);
                assertNull(ClientException.of(code, "x").errorCode(), code);
                checked++;
            }
        }
        assertTrue(checked >= 7, "client-side codes found: " + checked);
    }
}
