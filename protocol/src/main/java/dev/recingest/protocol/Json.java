package dev.recingest.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.UncheckedIOException;

/** The one configured ObjectMapper: unknown fields ignored, nulls omitted, modest nesting limits. */
public final class Json {

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    static {
        // Control messages are at most 64 KiB; deep nesting there is an attack, not a recording.
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    }

    private Json() {
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] writeBytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The {@code start} metadata as stored with a recording (JSON text, "" for none) back as JSON, for the
     * admin API, webhooks and the manifest; null for none. Text that is not JSON (the gateway validates it,
     * so it should not happen) is kept as a JSON string rather than lost.
     */
    public static JsonNode readMetadata(String stored) {
        if (stored == null || stored.isBlank()) {
            return null;
        }
        try {
            return MAPPER.readTree(stored);
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(stored);
        }
    }

    /** Parses one control message; any failure is a BAD_REQUEST naming what was wrong. */
    public static Message readMessage(String text) {
        try {
            return MAPPER.readValue(text, Message.class);
        } catch (JsonProcessingException e) {
            throw new IngestException(ErrorCode.BAD_REQUEST, "invalid control message: " + e.getOriginalMessage());
        }
    }
}
