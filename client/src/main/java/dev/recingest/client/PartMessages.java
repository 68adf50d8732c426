package dev.recingest.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.protocol.Json;

/**
 * The {@code part} request and its {@code partStarted} answer (PROTOCOL.md, "part"), kept apart from the
 * shared {@code Message} family on purpose: the gateway side of parts is being built separately, and until
 * it lands in {@code common} the client reads and writes these two messages itself. Once {@code Message}
 * has them, this class is the one place to replace.
 */
final class PartMessages {

    static final String PART = "{\"type\":\"part\"}";

    private PartMessages() {
    }

    /**
     * Whether a {@code started} message says how many parts the recording has. A gateway that says
     * nothing about parts predates them: it would answer {@code part} with BAD_REQUEST and 4400.
     */
    static boolean reportsParts(String startedText) {
        try {
            return Json.MAPPER.readTree(startedText).has("parts");
        } catch (Exception e) {
            return false;
        }
    }

    /** The answer in {@code text} if it is a {@code partStarted}, else null (any other or unreadable message). */
    static PartStarted partStarted(String text) {
        if (!text.contains("partStarted")) {
            return null;
        }
        try {
            JsonNode n = Json.MAPPER.readTree(text);
            if (!"partStarted".equals(n.path("type").asText())) {
                return null;
            }
            return new PartStarted(n.path("part").asInt(), n.path("firstSeq").asLong());
        } catch (Exception e) {
            return null;
        }
    }
}
