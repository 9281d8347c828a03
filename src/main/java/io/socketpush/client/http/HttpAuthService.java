package io.socketpush.client.http;

import io.socketpush.auth.AuthService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** {@link AuthService} over the management API ({@code POST /api/auth/<method>}). */
public final class HttpAuthService implements AuthService {
  private static final String SERVICE = "auth";
  private final HttpApiClient api;

  public HttpAuthService(HttpApiClient api) {
    this.api = api;
  }

  @Override
  public Future<Void> set(String userId, String sessionId) {
    return api.callVoid(SERVICE, "set", new JsonObject().put("userId", userId).put("sessionId", sessionId));
  }

  @Override
  public Future<String> check(String userId, String sessionId) {
    return api.callString(SERVICE, "check", new JsonObject().put("userId", userId).put("sessionId", sessionId));
  }

  @Override
  public Future<Void> remove(String userId) {
    return api.callVoid(SERVICE, "remove", new JsonObject().put("userId", userId));
  }
}
