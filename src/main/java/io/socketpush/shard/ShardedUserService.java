package io.socketpush.shard;

import io.socketpush.error.Validate;
import io.socketpush.message.PushMessage;
import io.socketpush.stream.PublishResult;
import io.socketpush.user.UserService;
import io.vertx.core.Future;
import java.util.List;
import java.util.TreeSet;

/** UserService of the whole cluster: calls go to the owner of the userId; listAll asks every shard. */
public final class ShardedUserService implements UserService {
  private final Shard<UserService> shard;
  private final int listLimit;

  public ShardedUserService(Shard<UserService> shard, int listLimit) {
    this.shard = shard;
    this.listLimit = listLimit;
  }

  @Override
  public Future<PublishResult> publish(String userId, PushMessage message, String idempotencyKey) {
    Future<PublishResult> bad = Validate.ids("userId", userId);
    if (bad == null) {
      bad = Validate.message(message);
    }
    return bad != null ? bad : shard.route(userId, s -> s.publish(userId, message, idempotencyKey));
  }

  @Override
  public Future<Integer> remove(String userId) {
    Future<Integer> bad = Validate.ids("userId", userId);
    return bad != null ? bad : shard.route(userId, s -> s.remove(userId));
  }

  @Override
  public Future<List<String>> getFrontendServer(String userId) {
    Future<List<String>> bad = Validate.ids("userId", userId);
    return bad != null ? bad : shard.route(userId, s -> s.getFrontendServer(userId));
  }

  @Override
  public Future<io.vertx.core.json.JsonObject> history(String userId, String since, Integer limit) {
    Future<io.vertx.core.json.JsonObject> bad = Validate.ids("userId", userId);
    return bad != null ? bad : shard.route(userId, s -> s.history(userId, since, limit));
  }

  @Override
  public Future<List<String>> listAll() {
    return shard.all(UserService::listAll).map(parts -> {
      TreeSet<String> all = new TreeSet<>();
      parts.forEach(all::addAll);
      return all.stream().limit(listLimit).toList();
    });
  }
}
