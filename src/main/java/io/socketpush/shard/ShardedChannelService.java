package io.socketpush.shard;

import io.socketpush.channel.ChannelService;
import io.socketpush.error.Validate;
import io.socketpush.message.PushMessage;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * ChannelService of the whole cluster: channel calls go to the owner of the channelId; user-keyed reads
 * go to any instance (subscriptions are in the distributed data), unsubscribeAll fans out per channel.
 */
public final class ShardedChannelService implements ChannelService {
  private static final int MAX_UNSUBSCRIBE_ROUNDS = 1_000;
  private final Shard<ChannelService> shard;

  public ShardedChannelService(Shard<ChannelService> shard) {
    this.shard = shard;
  }

  @Override
  public Future<Void> subscribe(String userId, String channelId) {
    Future<Void> bad = Validate.ids("userId", userId, "channelId", channelId);
    return bad != null ? bad : shard.route(channelId, s -> s.subscribe(userId, channelId));
  }

  @Override
  public Future<Void> unsubscribe(String userId, String channelId) {
    Future<Void> bad = Validate.ids("userId", userId, "channelId", channelId);
    return bad != null ? bad : shard.route(channelId, s -> s.unsubscribe(userId, channelId));
  }

  @Override
  public Future<Void> unsubscribeAll(String userId) {
    Future<Void> bad = Validate.ids("userId", userId);
    if (bad != null) {
      return bad;
    }
    return unsubscribeRounds(userId, 0);
  }

  /** getSubscriptions is capped at listLimit: repeat until none is left (bounded). */
  private Future<Void> unsubscribeRounds(String userId, int round) {
    return getSubscriptions(userId).compose(channels -> {
      if (channels.isEmpty() || round >= MAX_UNSUBSCRIBE_ROUNDS) {
        return Future.succeededFuture();
      }
      List<Future<Void>> calls = new ArrayList<>();
      channels.forEach(c -> calls.add(unsubscribe(userId, c)));
      return Future.all(calls).compose(v -> unsubscribeRounds(userId, round + 1));
    });
  }

  @Override
  public Future<List<String>> getSubscriptions(String userId) {
    Future<List<String>> bad = Validate.ids("userId", userId);
    return bad != null ? bad : shard.any(userId, s -> s.getSubscriptions(userId));
  }

  @Override
  public Future<List<String>> getSubscribers(String channelId) {
    Future<List<String>> bad = Validate.ids("channelId", channelId);
    return bad != null ? bad : shard.any(channelId, s -> s.getSubscribers(channelId));
  }

  @Override
  public Future<io.socketpush.stream.PublishResult> publish(String channelId, PushMessage message, String idempotencyKey) {
    Future<io.socketpush.stream.PublishResult> bad = Validate.ids("channelId", channelId);
    if (bad == null) {
      bad = Validate.message(message);
    }
    return bad != null ? bad : shard.route(channelId, s -> s.publish(channelId, message, idempotencyKey));
  }

  @Override
  public Future<List<String>> listAll() {
    return shard.any("", ChannelService::listAll);
  }

  @Override
  public Future<io.vertx.core.json.JsonObject> history(String channelId, String since, Integer limit) {
    Future<io.vertx.core.json.JsonObject> bad = Validate.ids("channelId", channelId);
    return bad != null ? bad : shard.route(channelId, s -> s.history(channelId, since, limit));
  }
}
