/**
 * Immutable configuration. Every setting is an environment variable ({@code RECINGEST_MAX_CHUNK_BYTES})
 * that a command-line flag of the same name overrides ({@code --max-chunk-bytes=8MiB}); defaults run
 * on one machine. Each setting is a {@link dev.recingest.config.Setting} constant in the
 * {@link dev.recingest.config.SettingGroup} of the configuration type that reads it (name, type, default,
 * meaning in one line), read with {@link dev.recingest.config.Settings#get}; the launcher's help and the
 * README's table are made from these constants. Records validate in their compact constructors and redact
 * secrets in toString; secrets holding the {@code CHANGE_ME} placeholder or too short are refused when read.
 */
package dev.recingest.config;
