/**
 * The benchmark suite: starts a real Redis, the S3 server and one gateway on loopback, drives them with a
 * lean load generator, and prints every figure next to a baseline measured in the same run (direct S3
 * PUTs from the same generator; for the merge section, {@code cat chunks | the merger's FFmpeg command} on
 * local files), because the machine is shared and noisy. The merge section runs the merger in a JVM of its
 * own ({@code -Xmx256m}). Run it with {@code bench/run.sh};
 * nothing here runs during {@code mvn verify} except its fast unit tests.
 */
package dev.recingest.bench;
