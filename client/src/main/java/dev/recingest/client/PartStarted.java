package dev.recingest.client;

/**
 * The gateway's answer to {@code part} (PROTOCOL.md, "part"): the recording's part {@code part} (0 is the
 * part that started with the recording) begins with chunk {@code firstSeq}.
 */
public record PartStarted(int part, long firstSeq) {
}
