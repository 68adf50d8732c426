package dev.recingest.gateway;

import dev.recingest.config.Setting;
import dev.recingest.config.SettingGroup;
import dev.recingest.auth.TokenPolicy;
import dev.recingest.config.Settings;
import dev.recingest.gateway.janitor.JanitorConfig;
import java.time.Duration;

/**
 * Gateway settings. Each one's environment variable, default and meaning are the {@link Setting} constants
 * below ({@link #SETTINGS}); a flag of the same name overrides the environment ({@code --max-chunk-bytes}).
 * In code, start from {@link #defaults()} and change what differs; {@link #from(Settings)} reads the environment.
 * Over 300 lines because each of its 24 settings appears in the table of constants, the validation and the builder.
 *
 * @param host                bind address (RECINGEST_HOST, default 127.0.0.1; 0.0.0.0 in containers)
 * @param port                HTTP and WebSocket port (RECINGEST_PORT, 8080; 0 = any free port)
 * @param maxChunkBytes       largest chunk payload; bigger frames are closed with 1009 (RECINGEST_MAX_CHUNK_BYTES, 8MiB)
 * @param maxTextBytes        largest control message (RECINGEST_MAX_TEXT_BYTES, 64KiB)
 * @param maxMetadataBytes    largest {@code start.metadata} as JSON (RECINGEST_MAX_METADATA_BYTES, 4KiB)
 * @param windowBytes         unacked bytes per connection before reading pauses (RECINGEST_WINDOW_BYTES, 16MiB)
 * @param globalInflightBytes unacked bytes across all connections before reading pauses (RECINGEST_GLOBAL_INFLIGHT_BYTES, 256MiB)
 * @param maxConnections      open WebSocket connections per gateway; more are closed with 4429 (RECINGEST_MAX_CONNECTIONS, 20000)
 * @param pingInterval        WebSocket ping when nothing was written for this long (RECINGEST_PING_INTERVAL, 20s)
 * @param idleTimeout         close with 4408 after this long without a frame or pong (RECINGEST_IDLE_TIMEOUT, 60s)
 * @param handshakeTimeout    time a new connection has to deliver a complete upgrade or HTTP request, and the
 *                            upgrade to complete; a client that sends nothing or half a request is closed
 *                            after it (RECINGEST_HANDSHAKE_TIMEOUT, 10s)
 * @param drainTimeout        on SIGTERM, time for in-flight writes before closing anyway (RECINGEST_DRAIN_TIMEOUT, 30s)
 * @param authEnabled         JWT authentication of recorders (RECINGEST_AUTH, on)
 * @param jwtSecret           HS256 secret of recorder tokens (RECINGEST_JWT_SECRET; required when auth is on)
 * @param adminToken          bearer token of the admin API (RECINGEST_ADMIN_TOKEN; admin API refuses all when unset)
 * @param maxChunksPerSecond  chunk frames per connection per second, sustained; more: RATE_LIMITED and close 4429
 *                            (RECINGEST_MAX_CHUNKS_PER_SECOND, 500; 0 = no limit)
 * @param chunkBurst          chunk frames a connection may send at once above that rate, such as the resends
 *                            of a resume (RECINGEST_CHUNK_BURST, 1000)
 * @param maxControlPerSecond control messages (text frames: start, stop, abort) per connection per second,
 *                            sustained; more: RATE_LIMITED and close 4429 (RECINGEST_MAX_CONTROL_PER_SECOND, 2;
 *                            0 = no limit, also of pings and pongs). Pings and pongs together may come at twice
 *                            the rate that answering the gateway's pings needs, at least 2 per second
 * @param controlBurst        control messages (and pings and pongs) a connection may send at once above those
 *                            rates (RECINGEST_CONTROL_BURST, 20)
 * @param startTimeout        an upgraded connection that sends no {@code start} within this is closed with 4408
 *                            (RECINGEST_START_TIMEOUT, 10s)
 * @param preStartBytes       bytes of half-arrived control messages held, across all connections, for clients
 *                            that have not sent {@code start}; a client that would go over it is closed with 4429
 *                            (RECINGEST_PRE_START_BYTES, 16MiB)
 * @param tokens              what a recorder token must satisfy besides its signature (RECINGEST_JWT_LEEWAY,
 *                            RECINGEST_JWT_MAX_LIFETIME, RECINGEST_JWT_AUDIENCE, RECINGEST_JWT_REQUIRE_AUDIENCE)
 * @param janitor             stall and idle timeouts of recordings, and the janitor that applies them
 * @param maxOpenPerSubject   recordings one token subject ({@code sub}) may have open at once; a start of a new one
 *                            past it: RATE_LIMITED and close 4429 (RECINGEST_MAX_OPEN_PER_SUBJECT, 100; 0 = no limit)
 */
public record GatewayConfig(String host, int port, int maxChunkBytes, int maxTextBytes, int maxMetadataBytes,
                            long windowBytes, long globalInflightBytes, int maxConnections, Duration pingInterval,
                            Duration idleTimeout, Duration handshakeTimeout, Duration drainTimeout,
                            boolean authEnabled, String jwtSecret, String adminToken,
                            int maxChunksPerSecond, int chunkBurst, int maxControlPerSecond, int controlBurst,
                            Duration startTimeout, long preStartBytes, TokenPolicy tokens, JanitorConfig janitor,
                            int maxOpenPerSubject) {

    public static final SettingGroup SETTINGS = new SettingGroup("gateway");
    public static final Setting<String> HOST = SETTINGS.string("RECINGEST_HOST", "127.0.0.1",
            "bind address of the gateway, and of the merger's metrics port (0.0.0.0 in containers, so that other containers and Prometheus reach them)");
    public static final Setting<Integer> PORT = SETTINGS.integer("RECINGEST_PORT", 8080,
            "gateway HTTP and WebSocket port (0: any free port)");
    public static final Setting<Long> MAX_CHUNK_BYTES = SETTINGS.bytes("RECINGEST_MAX_CHUNK_BYTES", 8 << 20,
            "largest chunk payload; larger chunk frames are closed with 1009");
    public static final Setting<Long> MAX_TEXT_BYTES = SETTINGS.bytes("RECINGEST_MAX_TEXT_BYTES", 64 << 10,
            "largest control message");
    public static final Setting<Long> MAX_METADATA_BYTES = SETTINGS.bytes("RECINGEST_MAX_METADATA_BYTES", 4 << 10,
            "largest `start.metadata`, as JSON");
    public static final Setting<Long> WINDOW_BYTES = SETTINGS.bytes("RECINGEST_WINDOW_BYTES", 16L << 20,
            "unacked bytes per connection before the gateway stops reading it");
    public static final Setting<Long> GLOBAL_INFLIGHT_BYTES = SETTINGS.bytes("RECINGEST_GLOBAL_INFLIGHT_BYTES", 256L << 20,
            "unacked bytes per gateway before it stops reading");
    public static final Setting<Integer> MAX_CONNECTIONS = SETTINGS.integer("RECINGEST_MAX_CONNECTIONS", 20_000,
            "WebSocket connections per gateway (more: `RATE_LIMITED`, 4429)");
    public static final Setting<Integer> MAX_CHUNKS_PER_SECOND = SETTINGS.integer("RECINGEST_MAX_CHUNKS_PER_SECOND", 500,
            "chunk frames per connection per second, sustained (more: `RATE_LIMITED`, 4429; 0 = no limit)");
    public static final Setting<Integer> MAX_OPEN_PER_SUBJECT = SETTINGS.integer("RECINGEST_MAX_OPEN_PER_SUBJECT", 100,
            "recordings one token subject (JWT `sub`) may have open at once; a `start` of one more new recording: `RATE_LIMITED`, 4429; 0 = no limit");
    public static final Setting<Integer> CHUNK_BURST = SETTINGS.integer("RECINGEST_CHUNK_BURST", 1000,
            "chunk frames a connection may send at once above that rate (a resume's resends)");
    public static final Setting<Integer> MAX_CONTROL_PER_SECOND = SETTINGS.integer("RECINGEST_MAX_CONTROL_PER_SECOND", 2,
            "control messages (`start`, `stop`, `abort`) per connection per second, sustained; pings and pongs together may come at twice the rate that answering the gateway's pings needs (at least 2/s); more: `RATE_LIMITED`, 4429; 0 = no limit");
    public static final Setting<Integer> CONTROL_BURST = SETTINGS.integer("RECINGEST_CONTROL_BURST", 20,
            "control messages (and pings and pongs) a connection may send at once above those rates");
    public static final Setting<Duration> START_TIMEOUT = SETTINGS.duration("RECINGEST_START_TIMEOUT", Duration.ofSeconds(10),
            "an upgraded connection must send `start` within it (and again within it after a `start` it may retry); otherwise `START_TIMEOUT` and close 4408, pings or not");
    public static final Setting<Long> PRE_START_BYTES = SETTINGS.bytes("RECINGEST_PRE_START_BYTES", 16L << 20,
            "bytes this gateway holds, across all connections, for control messages still arriving from clients that have not sent `start`; a client that would go over it: `RATE_LIMITED`, 4429");
    public static final Setting<Duration> PING_INTERVAL = SETTINGS.duration("RECINGEST_PING_INTERVAL", Duration.ofSeconds(20),
            "WebSocket ping when nothing was written for this long");
    public static final Setting<Duration> IDLE_TIMEOUT = SETTINGS.duration("RECINGEST_IDLE_TIMEOUT", Duration.ofSeconds(60),
            "close 4408 after this long without a frame or pong");
    public static final Setting<Duration> HANDSHAKE_TIMEOUT = SETTINGS.duration("RECINGEST_HANDSHAKE_TIMEOUT", Duration.ofSeconds(10),
            "a new connection must send a whole upgrade (or HTTP) request within it, and a kept-alive HTTP connection its next request; otherwise it is closed");
    public static final Setting<Duration> DRAIN_TIMEOUT = SETTINGS.duration("RECINGEST_DRAIN_TIMEOUT", Duration.ofSeconds(30),
            "on SIGTERM, time for writes in flight before the remaining connections are closed with 1001");
    public static final Setting<Boolean> AUTH = SETTINGS.add(Setting.bool("RECINGEST_AUTH", true,
            "recorder authentication (`off` is logged loudly)").defaultsTo("on"));
    public static final Setting<String> JWT_SECRET = SETTINGS.secret("RECINGEST_JWT_SECRET", 32,
            "HS256 secret of recorder tokens; required with authentication on");
    public static final Setting<String> ADMIN_TOKEN = SETTINGS.secret("RECINGEST_ADMIN_TOKEN", 16,
            "bearer token of the admin API `/v1/recordings…` (unset: it refuses every call); `push` uses it to wait for the MP4");

    public GatewayConfig {
        if (maxChunkBytes < 1 || maxChunkBytes > (256 << 20)) {
            throw new IllegalArgumentException("max chunk bytes must be between 1 and 256MiB");
        }
        if (windowBytes < maxChunkBytes) {
            throw new IllegalArgumentException("the window must hold at least one chunk of the max size");
        }
        if (globalInflightBytes < windowBytes) {
            throw new IllegalArgumentException("the global in-flight limit must hold at least one window");
        }
        if (maxChunksPerSecond < 0 || (maxChunksPerSecond > 0 && chunkBurst < 1)) {
            throw new IllegalArgumentException("the chunk rate must be 0 (no limit) or positive, with a burst of at least 1");
        }
        if (maxControlPerSecond < 0 || (maxControlPerSecond > 0 && controlBurst < 2)) {
            // A start and a stop are two control messages: a smaller burst could never record anything.
            throw new IllegalArgumentException("the control rate must be 0 (no limit) or positive, with a burst of at least 2");
        }
        if (maxTextBytes < 1024 || maxTextBytes <= maxMetadataBytes) {
            throw new IllegalArgumentException("the control message limit must be at least 1KiB and above the metadata limit");
        }
        if (preStartBytes < maxTextBytes) {
            throw new IllegalArgumentException("RECINGEST_PRE_START_BYTES must hold at least one control message of the max size");
        }
        if (maxConnections < 1 || handshakeTimeout.toMillis() < 1 || idleTimeout.toMillis() < 1
                || pingInterval.toMillis() < 1 || startTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("connection limits and timeouts must be positive");
        }
        if (maxOpenPerSubject < 0) {
            throw new IllegalArgumentException("RECINGEST_MAX_OPEN_PER_SUBJECT must be 0 (no limit) or positive");
        }
        if (authEnabled && (jwtSecret == null || jwtSecret.length() < 32)) {
            throw new IllegalArgumentException(
                    "authentication is on: set RECINGEST_JWT_SECRET (at least 32 characters) or RECINGEST_AUTH=off");
        }
    }

    /**
     * Every setting at its default, as the {@link Setting} constants above (and the README's table) say; change
     * some and {@link Builder#build} it. Authentication is on by default and needs a secret: set
     * {@link Builder#jwtSecret} or turn {@link Builder#authEnabled} off.
     */
    public static Builder defaults() {
        Builder b = new Builder();
        b.host = HOST.defaultValue();
        b.port = PORT.defaultValue();
        b.maxChunkBytes = (int) (long) MAX_CHUNK_BYTES.defaultValue();
        b.maxTextBytes = (int) (long) MAX_TEXT_BYTES.defaultValue();
        b.maxMetadataBytes = (int) (long) MAX_METADATA_BYTES.defaultValue();
        b.windowBytes = WINDOW_BYTES.defaultValue();
        b.globalInflightBytes = GLOBAL_INFLIGHT_BYTES.defaultValue();
        b.maxConnections = MAX_CONNECTIONS.defaultValue();
        b.pingInterval = PING_INTERVAL.defaultValue();
        b.idleTimeout = IDLE_TIMEOUT.defaultValue();
        b.handshakeTimeout = HANDSHAKE_TIMEOUT.defaultValue();
        b.drainTimeout = DRAIN_TIMEOUT.defaultValue();
        b.authEnabled = AUTH.defaultValue();
        b.jwtSecret = JWT_SECRET.defaultValue();
        b.adminToken = ADMIN_TOKEN.defaultValue();
        b.maxChunksPerSecond = MAX_CHUNKS_PER_SECOND.defaultValue();
        b.chunkBurst = CHUNK_BURST.defaultValue();
        b.maxControlPerSecond = MAX_CONTROL_PER_SECOND.defaultValue();
        b.controlBurst = CONTROL_BURST.defaultValue();
        b.startTimeout = START_TIMEOUT.defaultValue();
        b.preStartBytes = PRE_START_BYTES.defaultValue();
        b.tokens = TokenPolicy.defaults();
        b.janitor = JanitorConfig.defaults();
        b.maxOpenPerSubject = MAX_OPEN_PER_SUBJECT.defaultValue();
        return b;
    }

    /** The settings as the environment and flags give them; validated. */
    public static GatewayConfig from(Settings s) {
        Builder b = new Builder();
        b.host = s.get(HOST);
        b.port = s.get(PORT);
        b.maxChunkBytes = (int) (long) s.get(MAX_CHUNK_BYTES);
        b.maxTextBytes = (int) (long) s.get(MAX_TEXT_BYTES);
        b.maxMetadataBytes = (int) (long) s.get(MAX_METADATA_BYTES);
        b.windowBytes = s.get(WINDOW_BYTES);
        b.globalInflightBytes = s.get(GLOBAL_INFLIGHT_BYTES);
        b.maxConnections = s.get(MAX_CONNECTIONS);
        b.pingInterval = s.get(PING_INTERVAL);
        b.idleTimeout = s.get(IDLE_TIMEOUT);
        b.handshakeTimeout = s.get(HANDSHAKE_TIMEOUT);
        b.drainTimeout = s.get(DRAIN_TIMEOUT);
        b.authEnabled = s.get(AUTH);
        b.jwtSecret = s.get(JWT_SECRET);
        b.adminToken = s.get(ADMIN_TOKEN);
        b.maxChunksPerSecond = s.get(MAX_CHUNKS_PER_SECOND);
        b.chunkBurst = s.get(CHUNK_BURST);
        b.maxControlPerSecond = s.get(MAX_CONTROL_PER_SECOND);
        b.controlBurst = s.get(CONTROL_BURST);
        b.startTimeout = s.get(START_TIMEOUT);
        b.preStartBytes = s.get(PRE_START_BYTES);
        b.tokens = TokenPolicy.from(s);
        b.janitor = JanitorConfig.from(s);
        b.maxOpenPerSubject = s.get(MAX_OPEN_PER_SUBJECT);
        return b.build();
    }

    /** The same settings with some changed: {@code config.toBuilder().port(0).build()}. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.host = host;
        b.port = port;
        b.maxChunkBytes = maxChunkBytes;
        b.maxTextBytes = maxTextBytes;
        b.maxMetadataBytes = maxMetadataBytes;
        b.windowBytes = windowBytes;
        b.globalInflightBytes = globalInflightBytes;
        b.maxConnections = maxConnections;
        b.pingInterval = pingInterval;
        b.idleTimeout = idleTimeout;
        b.handshakeTimeout = handshakeTimeout;
        b.drainTimeout = drainTimeout;
        b.authEnabled = authEnabled;
        b.jwtSecret = jwtSecret;
        b.adminToken = adminToken;
        b.maxChunksPerSecond = maxChunksPerSecond;
        b.chunkBurst = chunkBurst;
        b.maxControlPerSecond = maxControlPerSecond;
        b.controlBurst = controlBurst;
        b.startTimeout = startTimeout;
        b.preStartBytes = preStartBytes;
        b.tokens = tokens;
        b.janitor = janitor;
        b.maxOpenPerSubject = maxOpenPerSubject;
        return b;
    }

    /** Gateway settings being put together; {@link #build} validates them (see {@link GatewayConfig}). */
    public static final class Builder {
        private String host;
        private int port;
        private int maxChunkBytes;
        private int maxTextBytes;
        private int maxMetadataBytes;
        private long windowBytes;
        private long globalInflightBytes;
        private int maxConnections;
        private Duration pingInterval;
        private Duration idleTimeout;
        private Duration handshakeTimeout;
        private Duration drainTimeout;
        private boolean authEnabled;
        private String jwtSecret;
        private String adminToken;
        private int maxChunksPerSecond;
        private int chunkBurst;
        private int maxControlPerSecond;
        private int controlBurst;
        private Duration startTimeout;
        private long preStartBytes;
        private TokenPolicy tokens;
        private JanitorConfig janitor;
        private int maxOpenPerSubject;

        private Builder() {
        }

        public Builder host(String value) { host = value; return this; }
        public Builder port(int value) { port = value; return this; }
        public Builder maxChunkBytes(int value) { maxChunkBytes = value; return this; }
        public Builder maxTextBytes(int value) { maxTextBytes = value; return this; }
        public Builder maxMetadataBytes(int value) { maxMetadataBytes = value; return this; }
        public Builder windowBytes(long value) { windowBytes = value; return this; }
        public Builder globalInflightBytes(long value) { globalInflightBytes = value; return this; }
        public Builder maxConnections(int value) { maxConnections = value; return this; }
        public Builder pingInterval(Duration value) { pingInterval = value; return this; }
        public Builder idleTimeout(Duration value) { idleTimeout = value; return this; }
        public Builder handshakeTimeout(Duration value) { handshakeTimeout = value; return this; }
        public Builder drainTimeout(Duration value) { drainTimeout = value; return this; }
        public Builder authEnabled(boolean value) { authEnabled = value; return this; }
        public Builder jwtSecret(String value) { jwtSecret = value; return this; }
        public Builder adminToken(String value) { adminToken = value; return this; }
        public Builder maxChunksPerSecond(int value) { maxChunksPerSecond = value; return this; }
        public Builder chunkBurst(int value) { chunkBurst = value; return this; }
        public Builder maxControlPerSecond(int value) { maxControlPerSecond = value; return this; }
        public Builder controlBurst(int value) { controlBurst = value; return this; }
        public Builder startTimeout(Duration value) { startTimeout = value; return this; }
        public Builder preStartBytes(long value) { preStartBytes = value; return this; }
        public Builder tokens(TokenPolicy value) { tokens = value; return this; }
        public Builder janitor(JanitorConfig value) { janitor = value; return this; }
        public Builder maxOpenPerSubject(int value) { maxOpenPerSubject = value; return this; }

        public GatewayConfig build() {
            return new GatewayConfig(host, port, maxChunkBytes, maxTextBytes, maxMetadataBytes, windowBytes, globalInflightBytes, maxConnections, pingInterval, idleTimeout, handshakeTimeout, drainTimeout, authEnabled, jwtSecret, adminToken, maxChunksPerSecond, chunkBurst, maxControlPerSecond, controlBurst, startTimeout, preStartBytes, tokens, janitor, maxOpenPerSubject);
        }
    }

    @Override
    public String toString() {
        return "GatewayConfig[host=" + host + ", port=" + port + ", maxChunkBytes=" + maxChunkBytes
                + ", windowBytes=" + windowBytes + ", globalInflightBytes=" + globalInflightBytes
                + ", maxConnections=" + maxConnections + ", idleTimeout=" + idleTimeout
                + ", handshakeTimeout=" + handshakeTimeout + ", maxChunksPerSecond=" + maxChunksPerSecond
                + ", chunkBurst=" + chunkBurst + ", maxControlPerSecond=" + maxControlPerSecond + ", controlBurst="
                + controlBurst + ", startTimeout=" + startTimeout + ", preStartBytes=" + preStartBytes + ", tokens="
                + tokens + ", maxOpenPerSubject=" + maxOpenPerSubject + ", janitor=" + janitor + ", authEnabled=" + authEnabled
                + ", jwtSecret=" + (jwtSecret == null ? "unset" : "***") + ", adminToken="
                + (adminToken == null ? "unset" : "***") + "]";
    }
}
