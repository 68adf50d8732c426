/**
 * Real servers on loopback for the one-machine setup and the tests: Redis 6.2 from the embedded-redis
 * artifact and an S3-compatible server (s3proxy with its filesystem backend). Both bind 127.0.0.1 only
 * and are stopped by a JVM shutdown hook if nobody stops them first.
 */
package dev.recingest.embedded;
