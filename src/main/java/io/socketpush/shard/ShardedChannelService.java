package io.socketpush.shard;

import io.socketpush.channel.ChannelService;
import io.socketpush.error.Validate;
import io.socketpush.message.Page;
import io.socketpush.message.Pages;
import io.socketpush.message.PushMessage;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * ChannelService of the whole cluster: channel calls go to the owner of the channelId; user-keyed reads
 * go to any instance (subscriptions are in the distributed data), unsubscribeAll fans out per channel.
 */
public final class ShardedChannelService implements ChannelService {
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
    // page through the user's subscriptions (slots do not move when members leave, so unsubscribing while
    // paging sees every channel once), each channel to its owner
    return Pages.forEach(cursor -> getSubscriptions(userId, 0, cursor), channels -> {
      List<Future<Void>> calls = new ArrayList<>();
      channels.forEach(c -> calls.add(unsubscribe(userId, c)));
      return Future.all(calls).mapEmpty();
    });
  }

  @Override
  public Future<Page> getSubscriptions(String userId, int limit, String cursor) {
    Future<Page> bad = Validate.ids("userId", userId);
    if (bad == null) {
      bad = Pages.checkLimit(limit);
    }
    return bad != null ? bad : shard.any(userId, s -> s.getSubscriptions(userId, limit, cursor));
  }

  @Override
  public Future<Page> getSubscribers(String channelId, int limit, String cursor) {
    Future<Page> bad = Validate.ids("channelId", channelId);
    if (bad == null) {
      bad = Pages.checkLimit(limit);
    }
    return bad != null ? bad : shard.any(channelId, s -> s.getSubscribers(channelId, limit, cursor));
  }

  @Override
  public Future<io.socketpush.stream.PublishResult> publish(String channelId, PushMessage message, String idempotencyKey) {
    Future<io.socketpush.stream.PublishResult> bad = Validate.ids("channelId", channelId);
    if (bad == null) {
      bad = Validate.message(message);
    }
    if (bad == null) {
      bad = io.socketpush.stream.StreamLog.validKey(idempotencyKey);
    }
    return bad != null ? bad : shard.routeOnce(channelId, s -> s.publish(channelId, message, idempotencyKey));
  }

  @Override
  public Future<Page> listAll(int limit, String cursor) {
    Future<Page> bad = Pages.checkLimit(limit);
    return bad != null ? bad : shard.any("", s -> s.listAll(limit, cursor));
  }

  @Override
  public Future<io.vertx.core.json.JsonObject> history(String channelId, String since, int limit) {
    Future<io.vertx.core.json.JsonObject> bad = Validate.ids("channelId", channelId);
    if (bad == null) {
      bad = Pages.checkLimit(limit);
    }
    return bad != null ? bad : shard.route(channelId, s -> s.history(channelId, since, limit));
  }

  @Override
  public Future<io.vertx.core.json.JsonObject> presence(String channelId, String cursor, int limit) {
    Future<io.vertx.core.json.JsonObject> bad = Validate.ids("channelId", channelId);
    if (bad == null) {
      bad = Pages.checkLimit(limit);
    }
    return bad != null ? bad : shard.route(channelId, s -> s.presence(channelId, cursor, limit));
  }

  @Override
  public Future<io.vertx.core.json.JsonObject> presenceStats(String channelId) {
    Future<io.vertx.core.json.JsonObject> bad = Validate.ids("channelId", channelId);
    return bad != null ? bad : shard.route(channelId, s -> s.presenceStats(channelId));
  }
}
