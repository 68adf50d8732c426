/**
 * A small client of the gateway's admin HTTP API (PROTOCOL.md, "Admin HTTP API"): read a recording's
 * state, wait until its merge ends, fetch the merged MP4. Authenticates with the admin token as
 * {@code Authorization: Bearer}; never writes.
 */
package dev.recingest.client.admin;
