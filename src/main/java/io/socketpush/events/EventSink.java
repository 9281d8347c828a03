package io.socketpush.events;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Where lifecycle events go (the webhook outbox). {@code key} orders events: those of one key are delivered in
 * the order they were emitted ({@code user:<id>} or {@code channel:<id>}). Completes once the event is stored.
 */
public interface EventSink {
  /** A sink that drops every event (no webhooks configured). */
  EventSink NONE = new EventSink() {
    @Override
    public Future<Void> emit(String type, String key, JsonObject data) {
      return Future.succeededFuture();
    }

    @Override
    public boolean wants(String type) {
      return false;
    }
  };

  String USER_ONLINE = "user.online";
  String USER_OFFLINE = "user.offline";
  String PRESENCE_JOIN = "presence.join";
  String PRESENCE_LEAVE = "presence.leave";
  String CHANNEL_OCCUPIED = "channel.occupied";
  String CHANNEL_VACATED = "channel.vacated";

  Future<Void> emit(String type, String key, JsonObject data);

  /** Whether some webhook takes events of {@code type} (so the work of finding them out is worth doing). */
  default boolean wants(String type) {
    return true;
  }

  static String userKey(String userId) {
    return "user:" + userId;
  }

  static String channelKey(String channelId) {
    return "channel:" + channelId;
  }
}
