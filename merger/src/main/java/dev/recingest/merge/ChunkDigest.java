package dev.recingest.merge;

/** One merged chunk as the manifest lists it: index, size and SHA-256 (lower-case hex) of its bytes. */
public record ChunkDigest(long index, long size, String sha256) {
}
