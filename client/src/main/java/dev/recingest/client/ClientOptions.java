package dev.recingest.client;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Immutable settings of an {@link IngestClient}. Start from {@link #defaults(URI, String)} and change
 * what differs with the {@code with*} methods.
 *
 * @param gatewayUri        the WebSocket endpoint, e.g. {@code ws://127.0.0.1:8080/v1/ingest}
 * @param token             the JWT, sent as {@code Authorization: Bearer} on the upgrade; null for none (or
 *                          when {@code tokenSupplier} gives it)
 * @param tokenInStart      also put the token in {@code start.token} (what browsers must do)
 * @param windowBytes       at most this many payload bytes unacked; {@code send} blocks beyond it. Keep
 *                          it at or below the gateway's window, or the gateway stops reading instead
 * @param connectTimeout    TCP connect plus WebSocket upgrade
 * @param ackTimeout        how long the gateway may stay silent while an ack, {@code started},
 *                          {@code stopped} or {@code aborted} is awaited before the connection is
 *                          treated as dead (and resumed, if reconnects are allowed)
 * @param maxResendAttempts resends of one chunk after retryable nacks, and stop rounds after
 *                          INCOMPLETE, before the client gives up
 * @param resendBackoff     first delay before a resend, or before a reconnect's second attempt (its first
 *                          goes at once); doubles per attempt
 * @param maxBackoff        cap of that delay
 * @param reconnectAttempts reconnects after a resumable close (1001, 1006, 1011, and TOKEN_EXPIRED's 4401
 *                          with a {@code tokenSupplier}) before giving up;
 *                          0 turns resume off. The count starts again after every successful resume
 * @param tokenSupplier     null for the fixed {@code token}; otherwise asked for the token before every
 *                          connection (the first and each reconnect), on the client's event thread: a long
 *                          recording that reconnects after its first token expired presents a fresh one. It
 *                          should return at once (a token it keeps fresh); an exception or null fails that
 *                          connection attempt like a refused connect (the next attempt asks again)
 * @param jitter            each backoff delay is drawn at random between half of it and all of it ("equal
 *                          jitter"), so that clients that lost the same gateway do not retry in lockstep;
 *                          false for the exact delays
 */
public record ClientOptions(URI gatewayUri, String token, boolean tokenInStart, long windowBytes,
                            Duration connectTimeout, Duration ackTimeout, int maxResendAttempts,
                            Duration resendBackoff, Duration maxBackoff, int reconnectAttempts,
                            Supplier<String> tokenSupplier, boolean jitter) {

    /** The gateway's default window (PROTOCOL.md, flow control). */
    public static final long DEFAULT_WINDOW_BYTES = 16L << 20;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_RESEND_ATTEMPTS = 8;
    public static final Duration DEFAULT_RESEND_BACKOFF = Duration.ofMillis(250);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(8);
    /** With the first attempt immediate: about 7.75 s of attempts at the default backoff. */
    public static final int DEFAULT_RECONNECT_ATTEMPTS = 6;

    public ClientOptions {
        Objects.requireNonNull(gatewayUri, "gatewayUri");
        String scheme = gatewayUri.getScheme();
        if (!"ws".equals(scheme) && !"wss".equals(scheme)) {
            throw new IllegalArgumentException("gatewayUri must be ws:// or wss://, got " + gatewayUri);
        }
        if (windowBytes <= 0) {
            throw new IllegalArgumentException("windowBytes must be positive");
        }
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(ackTimeout, "ackTimeout");
        requirePositive(resendBackoff, "resendBackoff");
        requirePositive(maxBackoff, "maxBackoff");
        if (maxResendAttempts < 0 || reconnectAttempts < 0) {
            throw new IllegalArgumentException("attempt counts must not be negative");
        }
        if (tokenSupplier != null && token != null) {
            throw new IllegalArgumentException("a fixed token or a token supplier, not both");
        }
    }

    /** A fixed token, presented on every connection of the recording. */
    public static ClientOptions defaults(URI gatewayUri, String token) {
        return new ClientOptions(gatewayUri, token, true, DEFAULT_WINDOW_BYTES, DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_ACK_TIMEOUT, DEFAULT_MAX_RESEND_ATTEMPTS, DEFAULT_RESEND_BACKOFF, DEFAULT_MAX_BACKOFF,
                DEFAULT_RECONNECT_ATTEMPTS, null, true);
    }

    /** A token asked of {@code tokens} before every connection (see {@link #tokenSupplier}). */
    public static ClientOptions defaultsWithTokenSupplier(URI gatewayUri, Supplier<String> tokens) {
        return defaults(gatewayUri, null).withTokenSupplier(tokens, true);
    }

    public ClientOptions withToken(String newToken, boolean alsoInStart) {
        return new ClientOptions(gatewayUri, newToken, alsoInStart, windowBytes, connectTimeout, ackTimeout,
                maxResendAttempts, resendBackoff, maxBackoff, reconnectAttempts, null, jitter);
    }

    public ClientOptions withTokenSupplier(Supplier<String> tokens, boolean alsoInStart) {
        return new ClientOptions(gatewayUri, null, alsoInStart, windowBytes, connectTimeout, ackTimeout,
                maxResendAttempts, resendBackoff, maxBackoff, reconnectAttempts, Objects.requireNonNull(tokens, "tokens"),
                jitter);
    }

    public ClientOptions withWindowBytes(long bytes) {
        return new ClientOptions(gatewayUri, token, tokenInStart, bytes, connectTimeout, ackTimeout,
                maxResendAttempts, resendBackoff, maxBackoff, reconnectAttempts, tokenSupplier, jitter);
    }

    public ClientOptions withTimeouts(Duration connect, Duration ack) {
        return new ClientOptions(gatewayUri, token, tokenInStart, windowBytes, connect, ack,
                maxResendAttempts, resendBackoff, maxBackoff, reconnectAttempts, tokenSupplier, jitter);
    }

    public ClientOptions withResend(int maxAttempts, Duration backoff, Duration cap) {
        return new ClientOptions(gatewayUri, token, tokenInStart, windowBytes, connectTimeout, ackTimeout,
                maxAttempts, backoff, cap, reconnectAttempts, tokenSupplier, jitter);
    }

    public ClientOptions withReconnectAttempts(int attempts) {
        return new ClientOptions(gatewayUri, token, tokenInStart, windowBytes, connectTimeout, ackTimeout,
                maxResendAttempts, resendBackoff, maxBackoff, attempts, tokenSupplier, jitter);
    }

    public ClientOptions withJitter(boolean on) {
        return new ClientOptions(gatewayUri, token, tokenInStart, windowBytes, connectTimeout, ackTimeout,
                maxResendAttempts, resendBackoff, maxBackoff, reconnectAttempts, tokenSupplier, on);
    }

    /**
     * The longest delay before attempt {@code attempt} (1-based): exponential from {@link #resendBackoff},
     * capped; what {@link #retryDelay} waits without jitter.
     */
    public Duration backoff(int attempt) {
        int shift = Math.min(Math.max(attempt - 1, 0), 20);
        Duration d = resendBackoff.multipliedBy(1L << shift);
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }

    /**
     * The delay the client waits before attempt {@code attempt} (1-based) of a resend or reconnect: with
     * {@link #jitter}, drawn anew each time between half of {@link #backoff} and all of it.
     */
    public Duration retryDelay(int attempt) {
        Duration ceiling = backoff(attempt);
        if (!jitter) {
            return ceiling;
        }
        long half = ceiling.toNanos() / 2;
        return Duration.ofNanos(ceiling.toNanos() - half + ThreadLocalRandom.current().nextLong(half + 1));
    }

    /**
     * The token for the next connection: the fixed {@link #token}, or what {@link #tokenSupplier} gives now.
     *
     * @throws IllegalStateException when the supplier fails or gives null
     */
    public String currentToken() {
        if (tokenSupplier == null) {
            return token;
        }
        String t;
        try {
            t = tokenSupplier.get();
        } catch (RuntimeException e) {
            throw new IllegalStateException("the token supplier failed: " + e, e);
        }
        if (t == null) {
            throw new IllegalStateException("the token supplier gave no token");
        }
        return t;
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
