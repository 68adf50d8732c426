package dev.recingest.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * Every control message of the protocol, in both directions, as one sealed family keyed by its
 * {@code "type"} field. An unknown {@code type} fails to parse, which the gateway answers with
 * BAD_REQUEST; unknown fields are ignored (see {@link Json}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = Message.Start.class, name = "start"),
        @JsonSubTypes.Type(value = Message.Stop.class, name = "stop"),
        @JsonSubTypes.Type(value = Message.Abort.class, name = "abort"),
        @JsonSubTypes.Type(value = Message.Part.class, name = "part"),
        @JsonSubTypes.Type(value = Message.Started.class, name = "started"),
        @JsonSubTypes.Type(value = Message.Ack.class, name = "ack"),
        @JsonSubTypes.Type(value = Message.Nack.class, name = "nack"),
        @JsonSubTypes.Type(value = Message.Stopped.class, name = "stopped"),
        @JsonSubTypes.Type(value = Message.Aborted.class, name = "aborted"),
        @JsonSubTypes.Type(value = Message.PartStarted.class, name = "partStarted"),
        @JsonSubTypes.Type(value = Message.Error.class, name = "error"),
})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface Message {

    /** Client to gateway: open (or resume) a recording. */
    record Start(String recordingId, String contentType, String mode, String token, JsonNode metadata)
            implements Message {
    }

    /** Client to gateway: end the recording; {@code lastSeq} is optional. */
    record Stop(Long lastSeq) implements Message {
    }

    /** Client to gateway: discard the recording. */
    record Abort() implements Message {
    }

    /**
     * Client to gateway: the next chunk (seq = the recording's {@code nextSeq}) is the first of a new part, a new
     * continuous stream (PROTOCOL.md, "part").
     */
    record Part() implements Message {
    }

    /**
     * @param parts how many parts the recording has (1 until a {@code part} went through); null only from a
     *              gateway that predates parts, which a client must not send {@code part} to
     */
    record Started(String recordingId, long nextSeq, boolean resumed, Integer parts) implements Message {
    }

    /** The answer to {@code part}: part {@code part} (0 is the one the recording started with) begins at {@code firstSeq}. */
    record PartStarted(int part, long firstSeq) implements Message {
    }

    /** {@code seq} is -1 for chunks sent in at-least-once mode; {@code index} is where it is stored. */
    record Ack(long seq, long index, long size) implements Message {
    }

    /** {@code index} is set only in at-least-once mode, where a non-retryable nack leaves it void. */
    record Nack(long seq, String code, boolean retryable, Long index, String message) implements Message {
    }

    record Stopped(String recordingId, long chunks, long bytes,
                   @JsonProperty("void") List<Long> voidIndices) implements Message {
    }

    record Aborted(String recordingId) implements Message {
    }

    /**
     * An error; the optional fields are present for the codes that carry them ({@link ErrorDetail}). {@code code}
     * stays the wire string, since a newer gateway may send a code this side does not know: {@link #errorCode()}
     * is it as an {@link ErrorCode}, empty then.
     */
    record Error(String code, String message, Long seq, Long expected, List<Long> missing, String state)
            implements Message {

        public static Error of(ErrorCode code, String message) {
            return new Error(code.name(), message, null, null, null, null);
        }

        /** The error message of PROTOCOL.md for {@code wireCode}, with the fields {@code detail} carries (null for none). */
        public static Error of(String wireCode, String message, ErrorDetail detail) {
            if (detail instanceof ErrorDetail.SeqGap g) {
                return new Error(wireCode, message, g.seq(), g.expected(), null, null);
            } else if (detail instanceof ErrorDetail.Missing m) {
                return new Error(wireCode, message, null, null, m.missing(), null);
            } else if (detail instanceof ErrorDetail.State s) {
                return new Error(wireCode, message, null, null, null, s.state());
            }
            return new Error(wireCode, message, null, null, null, null);
        }

        /** The code, if this side knows it. Not a JSON property (not a record component, no getter name). */
        public Optional<ErrorCode> errorCode() {
            return ErrorCode.fromWire(code);
        }

        /** The typed detail the message's optional fields make up, or null when it has none. */
        public ErrorDetail detail() {
            if (expected != null) {
                return new ErrorDetail.SeqGap(seq == null ? -1 : seq, expected);
            } else if (missing != null) {
                return new ErrorDetail.Missing(missing);
            } else if (state != null) {
                return new ErrorDetail.State(state);
            }
            return null;
        }
    }
}
