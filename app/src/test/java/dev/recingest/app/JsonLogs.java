package dev.recingest.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Reads the key-value pairs of a log event in the JSON format ({@code "kvpList": [{"recording": "r1"}, …]}). */
final class JsonLogs {

    private JsonLogs() {
    }

    /** The values the event gives {@code key}, in order (a key may repeat); empty when it has none. */
    static List<String> values(JsonNode event, String key) {
        List<String> out = new ArrayList<>();
        JsonNode pairs = event.get("kvpList");
        if (pairs != null && pairs.isArray()) {
            for (JsonNode pair : pairs) {
                if (pair.has(key)) {
                    out.add(pair.get(key).asText());
                }
            }
        }
        return out;
    }
}
