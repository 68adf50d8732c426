/**
 * The test kit: what the tests of several modules (and the bench) need to run against a real backend, in one place.
 * {@link dev.recingest.testkit.Servers} starts a Redis (or takes the one a test hands in) and an S3 server on
 * loopback; {@link dev.recingest.testkit.Backend} adds the clients over them and closes everything in order;
 * {@link dev.recingest.testkit.RecordingWriter} writes recordings into storage and the ledger the way the gateway
 * does; {@link dev.recingest.testkit.Waits} waits, bounded, for what a test expects. Module-specific harnesses
 * (a gateway, a merger, gateway processes) stay in their modules' test trees and build on these.
 */
package dev.recingest.testkit;
