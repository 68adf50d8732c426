package dev.recingest.state;

import java.util.ArrayList;
import java.util.List;

/** Reading the reply lists of the recording scripts: their elements come back as Long or as String. */
final class ScriptReplies {

    private ScriptReplies() {
    }

    static SeqMode seqMode(String value) {
        return switch (value) {
            case "explicit" -> SeqMode.EXPLICIT;
            case "auto" -> SeqMode.AUTO;
            default -> null;
        };
    }

    static String str(List<Object> r, int i) {
        return String.valueOf(r.get(i));
    }

    static long num(List<Object> r, int i) {
        Object o = r.get(i);
        return o instanceof Long l ? l : Long.parseLong(String.valueOf(o));
    }

    static List<Long> tail(List<Object> r, int from) {
        List<Long> out = new ArrayList<>();
        for (int i = from; i < r.size(); i++) {
            out.add(num(r, i));
        }
        return out;
    }
}
