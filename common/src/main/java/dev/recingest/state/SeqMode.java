package dev.recingest.state;

/** How chunk indices are chosen: the client's explicit seq, or server-assigned (seq -1). */
public enum SeqMode {
    EXPLICIT("explicit"), AUTO("auto");

    private final String redisValue;

    SeqMode(String redisValue) {
        this.redisValue = redisValue;
    }

    public String redisValue() {
        return redisValue;
    }
}
