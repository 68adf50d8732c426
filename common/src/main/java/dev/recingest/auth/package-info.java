/**
 * Tokens of PROTOCOL.md, "Authentication": HS256 JWTs with {@code exp}, {@code sub}, and {@code rec} or
 * {@code rec_prefix}. Issued by the embedded launcher and tests, verified by the gateway.
 */
package dev.recingest.auth;
