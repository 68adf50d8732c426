package dev.recingest.embedded;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.List;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.CrossOriginResourceSharing;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * An S3-compatible server in this JVM: s3proxy over jclouds' filesystem backend, writing objects under
 * {@code dataDir/<bucket>/<key>}. It speaks the real S3 protocol over HTTP on 127.0.0.1, with real
 * signature checks, so the gateway and merger use the same SDK code path as against S3 or MinIO.
 */
public final class EmbeddedS3 implements AutoCloseable {

    private final Path dataDir;
    private final String accessKey;
    private final String secretKey;
    private final int requestedPort;
    private final String host;
    private BlobStoreContext context;
    private S3Proxy proxy;
    private int port;

    public EmbeddedS3(Path dataDir, String accessKey, String secretKey, int port) {
        this(dataDir, accessKey, secretKey, "127.0.0.1", port);
    }

    /** On {@code host}: 127.0.0.1, or the host's end of a test's own network namespace link. */
    public EmbeddedS3(Path dataDir, String accessKey, String secretKey, String host, int port) {
        this.host = host;
        this.dataDir = dataDir;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.requestedPort = port;
    }

    /** Starts on a free port. */
    public static EmbeddedS3 start(Path dataDir, String accessKey, String secretKey) {
        return start(dataDir, accessKey, secretKey, "127.0.0.1");
    }

    /** Starts on a free port of {@code host}. */
    public static EmbeddedS3 start(Path dataDir, String accessKey, String secretKey, String host) {
        EmbeddedS3 s3 = new EmbeddedS3(dataDir, accessKey, secretKey, host, 0);
        s3.start();
        return s3;
    }

    public synchronized void start() {
        try {
            Files.createDirectories(dataDir);
            Properties props = new Properties();
            props.setProperty("jclouds.filesystem.basedir", dataDir.toAbsolutePath().toString());
            context = ContextBuilder.newBuilder("filesystem").overrides(props).build(BlobStoreContext.class);
            // Restarting on the same port lets a test stop and start "the S3 server" like an outage.
            int bindPort = port != 0 ? port : requestedPort;
            proxy = S3Proxy.builder()
                    .blobStore(context.getBlobStore())
                    .endpoint(URI.create("http://" + host + ":" + bindPort))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                    // Reads from pages on any origin: a player (hls.js) fetches the live rendition's segments
                    // from presigned URLs with XHR, which needs CORS; the URLs themselves are the authorization.
                    .corsRules(new CrossOriginResourceSharing(List.of("*"), List.of("GET", "HEAD"), List.of("*"),
                            List.of(), "false"))
                    .build();
            proxy.start();
            while (!"STARTED".equals(proxy.getState())) {
                Thread.sleep(10);
            }
            port = proxy.getPort();
        } catch (Exception e) {
            throw new IllegalStateException("embedded S3 server did not start", e);
        }
    }

    public synchronized void stop() {
        try {
            if (proxy != null) {
                proxy.stop();
                proxy = null;
            }
            if (context != null) {
                context.close();
                context = null;
            }
        } catch (Exception e) {
            throw new IllegalStateException("embedded S3 server did not stop", e);
        }
    }

    public URI endpoint() {
        return URI.create("http://" + host + ":" + port);
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        stop();
    }
}
