package dev.recingest.protocol;

import java.util.List;

/**
 * The extra fields an error carries beside its code and message, one record per kind, so that no one reads
 * them back out of a map with casts. The component names are the field names of PROTOCOL.md's {@code error}
 * message and of the admin API's error body: {@link Message.Error#of(String, String, ErrorDetail)} puts them
 * into the one, the gateway's HTTP replies serialize the record into the other, and
 * {@link Message.Error#detail()} reads them back on the client.
 */
public sealed interface ErrorDetail {

    /** {@code SEQ_GAP}: chunk {@code seq} is ahead; the gateway expects {@code expected} next. */
    record SeqGap(long seq, long expected) implements ErrorDetail {
    }

    /** {@code INCOMPLETE}: the seqs below {@code stop}'s last seq that the gateway does not hold. */
    record Missing(List<Long> missing) implements ErrorDetail {
    }

    /** {@code NOT_OPEN}, {@code CONFLICT}: the state the recording is in (a {@code RecordingState} name). */
    record State(String state) implements ErrorDetail {
    }
}
