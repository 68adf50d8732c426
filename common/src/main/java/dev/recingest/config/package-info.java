/**
 * Immutable configuration. Every setting is an environment variable ({@code RECINGEST_MAX_CHUNK_BYTES})
 * that a command-line flag of the same name overrides ({@code --max-chunk-bytes=8MiB}); defaults run
 * on one machine. Records validate in their compact constructors and redact secrets in toString.
 */
package dev.recingest.config;
