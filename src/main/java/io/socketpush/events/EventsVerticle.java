package io.socketpush.events;

import io.socketpush.config.EventsConfig;
import io.socketpush.ops.NodeMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/**
 * Lifecycle events to the backend: opens the outbox and delivers the queues of the keys this node owns on the user
 * and channel rings. Deployed on every node when {@code events.webhooks} is set (set it on every user and channel
 * node). Its {@link #sink()} is where the user and channel
 * roles emit.
 */
public final class EventsVerticle extends VerticleBase {
  private final EventsConfig config;
  private final String nodeId;
  private final EventSink sink = new EventSink() {
    @Override
    public Future<Void> emit(String type, String key, JsonObject data) {
      return EventsVerticle.this.emit(type, key, data);
    }

    @Override
    public boolean wants(String type) {
      return config.webhooks().stream().anyMatch(h -> h.events().contains(type));
    }
  };
  private Outbox outbox;
  private WebhookDispatcher dispatcher;
  private WebClient http;

  private final io.socketpush.cluster.Membership membership;

  public EventsVerticle(EventsConfig config, io.socketpush.cluster.Membership membership) {
    this.config = config;
    this.membership = membership;
    this.nodeId = membership.nodeId();
  }

  /** This node delivers a key's events when it owns the key on the user or channel ring. */
  private boolean responsible(String eventKey) {
    if (eventKey.startsWith("user:")) {
      return membership.ring(io.socketpush.config.NodeConfig.Role.USER).owns(nodeId, eventKey.substring(5));
    }
    if (eventKey.startsWith("channel:")) {
      return membership.ring(io.socketpush.config.NodeConfig.Role.CHANNEL).owns(nodeId, eventKey.substring(8));
    }
    return false;
  }

  /** Emits into the outbox once this verticle started (fails before). */
  public EventSink sink() {
    return sink;
  }

  private Future<Void> emit(String type, String key, JsonObject data) {
    Outbox o = outbox;
    return o == null ? Future.failedFuture("events outbox not open yet") : o.emit(type, key, data);
  }

  @Override
  public Future<?> start() {
    return OutboxStore.open(vertx).map(store -> {
      outbox = new Outbox(store, config.webhooks(), nodeId);
      http = WebClient.create(vertx, new WebClientOptions().setUserAgent("socket-push-webhooks").setKeepAlive(true));
      dispatcher = new WebhookDispatcher(vertx, outbox, config, http, NodeMetrics.of(vertx, nodeId), nodeId,
          this::responsible);
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
