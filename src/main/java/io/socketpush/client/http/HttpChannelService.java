package io.socketpush.client.http;

import io.socketpush.channel.ChannelService;
import io.socketpush.message.PushMessage;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** {@link ChannelService} over the management API ({@code POST /api/channel/<method>}). */
public final class HttpChannelService implements ChannelService {
  private static final String SERVICE = "channel";
  private final HttpApiClient api;

  public HttpChannelService(HttpApiClient api) {
    this.api = api;
  }

  @Override
  public Future<Void> subscribe(String userId, String channelId) {
    return api.callVoid(SERVICE, "subscribe", new JsonObject().put("userId", userId).put("channelId", channelId));
  }

  @Override
  public Future<Void> unsubscribe(String userId, String channelId) {
    return api.callVoid(SERVICE, "unsubscribe", new JsonObject().put("userId", userId).put("channelId", channelId));
  }

  @Override
  public Future<Void> unsubscribeAll(String userId) {
    return api.callVoid(SERVICE, "unsubscribeAll", new JsonObject().put("userId", userId));
  }

  @Override
  public Future<List<String>> getSubscriptions(String userId) {
    return api.callStrings(SERVICE, "getSubscriptions", new JsonObject().put("userId", userId));
  }

  @Override
  public Future<List<String>> getSubscribers(String channelId) {
    return api.callStrings(SERVICE, "getSubscribers", new JsonObject().put("channelId", channelId));
  }

  @Override
  public Future<io.socketpush.stream.PublishResult> publish(String channelId, PushMessage message, String idempotencyKey) {
    JsonObject params = HttpApiClient.withMessage(new JsonObject().put("channelId", channelId), message);
    if (idempotencyKey != null) {
      params.put("idempotencyKey", idempotencyKey);
    }
    return api.callPublish(SERVICE, "publish", params);
  }

  @Override
  public Future<List<String>> listAll() {
    return api.callStrings(SERVICE, "listAll", new JsonObject());
  }

  @Override
  public Future<JsonObject> history(String channelId, String since, Integer limit) {
    JsonObject params = new JsonObject().put("channelId", channelId);
    if (since != null) {
      params.put("since", since);
    }
    if (limit != null) {
      params.put("limit", limit);
    }
    return api.callObject(SERVICE, "history", params);
  }
}
