/**
 * Webhook delivery: reads lifecycle events from the outbox stream ({@code dev.recingest.events}) and
 * POSTs each, signed, to every configured URL, at least once, retrying with exponential backoff until it
 * is accepted or too old. Runs in the merger process (and in {@code all}), never in the gateway's path.
 *
 * <p>Redis: the stream {@code recingest:webhook-events}, one consumer group per URL ({@code webhook-}
 * and 16 hex digits of the URL's SHA-256), so each URL has its own progress and its own pending
 * entries; XGROUP CREATE, XREADGROUP, XPENDING (with IDLE), XCLAIM, XACK. A failed delivery is simply
 * left pending: the pending entry list is the retry queue, its idle time and delivery count the backoff
 * state, and XCLAIM's min-idle makes one worker, in any process, take each retry.
 */
package dev.recingest.webhook;
