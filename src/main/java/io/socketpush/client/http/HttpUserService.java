package io.socketpush.client.http;

import io.socketpush.message.Page;
import io.socketpush.message.PushMessage;
import io.socketpush.user.UserService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** {@link UserService} over the management API ({@code POST /api/user/<method>}). */
public final class HttpUserService implements UserService {
  private static final String SERVICE = "user";
  private final HttpApiClient api;

  public HttpUserService(HttpApiClient api) {
    this.api = api;
  }

  @Override
  public Future<io.socketpush.stream.PublishResult> publish(String userId, PushMessage message, String idempotencyKey) {
    JsonObject params = HttpApiClient.withMessage(new JsonObject().put("userId", userId), message);
    if (idempotencyKey != null) {
      params.put("idempotencyKey", idempotencyKey);
    }
    return api.callPublish(SERVICE, "publish", params);
  }

  @Override
  public Future<Integer> remove(String userId) {
    return api.callInteger(SERVICE, "remove", new JsonObject().put("userId", userId));
  }

  @Override
  public Future<List<String>> getFrontendServer(String userId) {
    return api.callStrings(SERVICE, "getFrontendServer", new JsonObject().put("userId", userId));
  }

  @Override
  public Future<Page> listAll(int limit, String cursor) {
    return api.callPage(SERVICE, "listAll", HttpApiClient.paging(new JsonObject(), limit, cursor));
  }

  @Override
  public Future<JsonObject> history(String userId, String since, int limit) {
    JsonObject params = new JsonObject().put("userId", userId);
    if (since != null) {
      params.put("since", since);
    }
    if (limit != 0) {
      params.put("limit", limit);
    }
    return api.callObject(SERVICE, "history", params);
  }
}
