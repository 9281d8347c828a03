package io.socketpush.client.http;

import io.socketpush.channel.ChannelService;
import io.socketpush.message.Page;
import io.socketpush.message.PushMessage;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

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
  public Future<Page> getSubscriptions(String userId, int limit, String cursor) {
    return api.callPage(SERVICE, "getSubscriptions", HttpApiClient.paging(new JsonObject().put("userId", userId), limit, cursor));
  }

  @Override
  public Future<Page> getSubscribers(String channelId, int limit, String cursor) {
    return api.callPage(SERVICE, "getSubscribers", HttpApiClient.paging(new JsonObject().put("channelId", channelId), limit, cursor));
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
  public Future<Page> listAll(int limit, String cursor) {
    return api.callPage(SERVICE, "listAll", HttpApiClient.paging(new JsonObject(), limit, cursor));
  }

  @Override
  public Future<JsonObject> history(String channelId, String since, int limit) {
    JsonObject params = new JsonObject().put("channelId", channelId);
    if (since != null) {
      params.put("since", since);
    }
    if (limit != 0) {
      params.put("limit", limit);
    }
    return api.callObject(SERVICE, "history", params);
  }

  @Override
  public Future<JsonObject> presence(String channelId, String cursor, int limit) {
    return api.callObject(SERVICE, "presence", HttpApiClient.paging(new JsonObject().put("channelId", channelId), limit, cursor));
  }

  @Override
  public Future<JsonObject> presenceStats(String channelId) {
    return api.callObject(SERVICE, "presenceStats", new JsonObject().put("channelId", channelId));
  }
}
