package dev.recingest.mp4;

/** Bytes that are not the MP4 this package reads (or writes): a box that does not fit, a missing box. */
public final class MalformedMp4 extends RuntimeException {

    public MalformedMp4(String message) {
        super(message);
    }
}
