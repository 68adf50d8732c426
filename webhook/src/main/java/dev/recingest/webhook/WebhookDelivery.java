package dev.recingest.webhook;

import dev.recingest.config.HostName;
import dev.recingest.state.RedisConnections;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook delivery worker: one {@link DeliveryLane} thread per configured URL. Any number of
 * processes may run it; they share each URL's consumer group, so every event reaches every URL once
 * per successful delivery, whichever process sends it.
 */
public final class WebhookDelivery implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookDelivery.class);

    private final WebhookConfig config;
    private final List<DeliveryLane> lanes = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    private WebhookDelivery(WebhookConfig config, RedisConnections redis, MeterRegistry registry) {
        this.config = config;
        // Redirects are not followed: a receiver's answer is its answer, and the signed body goes nowhere else.
        HttpClient http = HttpClient.newBuilder().connectTimeout(config.requestTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        WebhookMetrics metrics = new WebhookMetrics(registry);
        String consumer = HostName.current("webhook") + "-" + ProcessHandle.current().pid();
        for (URI url : config.urls()) {
            DeliveryLane lane = new DeliveryLane(config, url, consumer, redis, http, metrics, Clock.systemUTC());
            lanes.add(lane);
            Thread t = new Thread(lane, "webhook-" + DeliveryLane.groupOf(url));
            threads.add(t);
        }
    }

    /** Starts delivering to the configured URLs; with none, starts nothing. */
    public static WebhookDelivery start(WebhookConfig config, RedisConnections redis, MeterRegistry registry) {
        WebhookDelivery d = new WebhookDelivery(config, redis, registry);
        d.threads.forEach(Thread::start);
        LOG.atInfo().addKeyValue("config", config).log("webhook delivery started");
        return d;
    }

    /** Stops after the round in progress (bounded by the poll time and one request timeout). */
    @Override
    public void close() {
        lanes.forEach(DeliveryLane::stop);
        long waitMillis = config.poll().toMillis() + config.requestTimeout().toMillis() + 5_000;
        for (Thread t : threads) {
            try {
                t.join(waitMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (t.isAlive()) {
                LOG.atWarn().addKeyValue("thread", t.getName()).log("webhook lane still running");
                t.interrupt();
            }
        }
        LOG.info("webhook delivery stopped");
    }
}
