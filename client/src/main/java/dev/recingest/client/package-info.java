/**
 * The Java client of the ingestion protocol (PROTOCOL.md): {@link dev.recingest.client.IngestClient}
 * records one recording over one WebSocket at a time, keeps every chunk until it is acked, respects the
 * gateway's flow-control window, resends after nacks, gaps and INCOMPLETE answers, and resumes on
 * another gateway after an abnormal close. {@link dev.recingest.client.RawWebSocket} is the opposite:
 * no protocol logic at all, for tests that must send bad input and watch the exact answer.
 *
 * <p>Built on the JDK's {@code java.net.http} WebSocket, so the library adds no transport dependency
 * to the programs that embed it.
 */
package dev.recingest.client;
