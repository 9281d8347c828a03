package io.socketpush.shard;

import io.socketpush.auth.AuthService;
import io.socketpush.error.Validate;
import io.vertx.core.Future;

/** AuthService of the whole cluster: each call goes to the owner of its userId. */
public final class ShardedAuthService implements AuthService {
  private final Shard<AuthService> shard;

  public ShardedAuthService(Shard<AuthService> shard) {
    this.shard = shard;
  }

  @Override
  public Future<Void> set(String userId, String sessionId) {
    Future<Void> bad = Validate.ids("userId", userId, "sessionId", sessionId);
    return bad != null ? bad : shard.route(userId, s -> s.set(userId, sessionId));
  }

  @Override
  public Future<String> check(String userId, String sessionId) {
    Future<String> bad = Validate.ids("userId", userId, "sessionId", sessionId);
    return bad != null ? bad : shard.route(userId, s -> s.check(userId, sessionId));
  }

  @Override
  public Future<Void> remove(String userId) {
    Future<Void> bad = Validate.ids("userId", userId);
    return bad != null ? bad : shard.route(userId, s -> s.remove(userId));
  }
}
