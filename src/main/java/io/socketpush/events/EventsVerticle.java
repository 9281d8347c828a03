package io.socketpush.events;

import io.socketpush.config.EventsConfig;
import io.socketpush.ops.NodeMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/**
 * Lifecycle events to the backend: opens the outbox and delivers the queues of the keys this node owns on the user
 * and channel rings ({@link EventOwners}). Deployed on every node when {@code events.webhooks} is set (set it on every
 * user and channel node). Its {@link #sink()} is where the user and channel roles emit. {@link #stop} stops the
 * dispatcher (its poll timer) and closes its HTTP client.
 */
public final class EventsVerticle extends VerticleBase {
  private final EventsConfig config;
  private final NodeMetrics metrics;
  private final String nodeId;
  private final OutboxSink sink;
  private WebhookDispatcher dispatcher;
  private WebClient http;

  private final io.socketpush.cluster.Membership membership;

  /** {@code metrics}: this node's meters (the dispatcher counts deliveries and failures). */
  public EventsVerticle(EventsConfig config, io.socketpush.cluster.Membership membership, NodeMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
    this.membership = membership;
    this.nodeId = membership.nodeId();
    this.sink = new OutboxSink(config);
  }

  /** Emits into the outbox once this verticle started (fails before). */
  public EventSink sink() {
    return sink;
  }

  @Override
  public Future<?> start() {
    return OutboxStore.open(vertx).map(store -> {
      Outbox outbox = new Outbox(store, config.webhooks(), nodeId);
      sink.open(outbox);
      http = WebClient.create(vertx, new WebClientOptions().setUserAgent("socket-push-webhooks").setKeepAlive(true));
      dispatcher = new WebhookDispatcher(vertx, outbox, config, http, metrics, nodeId,
          new EventOwners(nodeId, membership::ring));
      dispatcher.start();
      return null;
    });
  }

  @Override
  public Future<?> stop() {
    if (dispatcher != null) {
      dispatcher.stop();
    }
    if (http != null) {
      http.close();
    }
    return Future.succeededFuture();
  }
}
