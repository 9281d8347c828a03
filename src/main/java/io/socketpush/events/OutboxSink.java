package io.socketpush.events;

import io.socketpush.config.EventsConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * The sink the user and channel roles emit into, handed out before the outbox is open (the roles are built first):
 * it takes events once {@link #open} gave it the outbox and fails them before. {@link #wants} follows the config, so
 * callers skip work for types no webhook takes, open or not.
 */
final class OutboxSink implements EventSink {
  private final EventsConfig config;
  private volatile Outbox outbox;

  OutboxSink(EventsConfig config) {
    this.config = config;
  }

  void open(Outbox outbox) {
    this.outbox = outbox;
  }

  @Override
  public Future<Void> emit(String type, String key, JsonObject data) {
    Outbox o = outbox;
    return o == null ? Future.failedFuture("events outbox not open yet") : o.emit(type, key, data);
  }

  @Override
  public boolean wants(String type) {
    return config.webhooks().stream().anyMatch(h -> h.events().contains(type));
  }
}
