package io.socketpush.channel;

import io.vertx.codegen.annotations.GenIgnore;
import io.vertx.codegen.annotations.Nullable;
import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.socketpush.message.Page;
import io.socketpush.message.PushMessage;
import io.socketpush.stream.PublishResult;
import io.vertx.core.json.JsonObject;

/**
 * Channel subscriptions and publishing to channels. Sharded by channelId; subscriptions are hard state
 * kept in the cluster's distributed data.
 */
@ProxyGen
@VertxGen
public interface ChannelService {

  /**
   * Subscribes a user to a channel; takes effect at once on all of the user's open sockets.
   *
   * @param userId    the user
   * @param channelId the channel (shard key)
   */
  Future<Void> subscribe(String userId, String channelId);

  /**
   * Unsubscribes a user from a channel.
   *
   * @param userId    the user
   * @param channelId the channel (shard key)
   */
  Future<Void> unsubscribe(String userId, String channelId);

  /**
   * Unsubscribes a user from every channel.
   *
   * @param userId the user
   */
  Future<Void> unsubscribeAll(String userId);

  /**
   * One page of the channels a user is subscribed to, in the order of subscribing.
   *
   * @param userId the user
   * @param limit  most items in the page; 0 for cluster.listLimit, which is also the maximum
   * @param cursor nextCursor of the previous page; null or empty for the first page
   */
  Future<Page> getSubscriptions(String userId, int limit, @Nullable String cursor);

  /**
   * One page of the users subscribed to a channel, in the order of subscribing.
   *
   * @param channelId the channel (shard key)
   * @param limit     most items in the page; 0 for cluster.listLimit, which is also the maximum
   * @param cursor    nextCursor of the previous page; null or empty for the first page
   */
  Future<Page> getSubscribers(String channelId, int limit, @Nullable String cursor);

  /**
   * Publishes a message to every socket of every user subscribed to the channel; returns the number of
   * sockets reached and the message's position in the channel's stream ({@code channel.<channelId>}: epoch
   * and offset, stored in its history before this is acknowledged). Fails UNAVAILABLE if an edge node holding subscribers did not take the message (not
   * acknowledged; others may have got it, so a retry can reach some sockets twice).
   *
   * @param channelId the channel (shard key)
   * @param message   any JSON value
   * @param idempotencyKey optional: a retry with the same key within the stream's history window is answered with
   *                       the first attempt's position and sent again under it; edges drop positions they already wrote, so no
   *                       socket gets it twice (sockets counts only those that get it now) (null: none)
   */
  Future<PublishResult> publish(String channelId, PushMessage message, @Nullable String idempotencyKey);

  /**
   * One page of the channels with at least one subscriber.
   *
   * @param limit  most items in the page; 0 for cluster.listLimit, which is also the maximum
   * @param cursor nextCursor of the previous page; null or empty for the first page
   */
  Future<Page> listAll(int limit, @Nullable String cursor);

  /**
   * Reads the channel's stream ({@code channel.<channelId>}) from its history: {@code {"epoch": .., "top":
   * "<offset>", "messages": [{"offset": "<offset>", "message": ..}]}}, the messages after {@code since}, oldest
   * first (epoch null and no messages when the stream has no history).
   *
   * @param channelId the channel (shard key)
   * @param since     the offset to read after (a 64-bit integer as a string); null or empty: from the oldest kept
   * @param limit     most messages returned; 0: as many as the stream keeps
   */
  Future<JsonObject> history(String channelId, @Nullable String since, int limit);

  /**
   * One page of the channel's presence: the users connected (at least one open socket, anywhere in the cluster)
   * and subscribed to the channel, sorted by userId: {@code {"items": [{"userId", "sockets", "info"}],
   * "nextCursor": ..}}, {@code info} being what the backend gave the connection (a token's info claim; null
   * for session auth). Asks each edge node holding subscribers of the channel (one message per edge, never a
   * scan over subscribers). Fails UNAVAILABLE if such an edge does not answer.
   *
   * @param channelId the channel (shard key)
   * @param cursor    nextCursor of the previous page; null or empty for the first page
   * @param limit     most items in the page; 0 for cluster.listLimit, which is also the maximum
   */
  Future<JsonObject> presence(String channelId, @Nullable String cursor, int limit);

  /**
   * How many users (each counted once, however many sockets and edges) and sockets are connected and subscribed
   * to the channel, cluster-wide: {@code {"users": n, "sockets": n}}. One message per edge node holding
   * subscribers of the channel. Fails UNAVAILABLE if such an edge does not answer.
   *
   * @param channelId the channel (shard key)
   */
  Future<JsonObject> presenceStats(String channelId);

  /** A proxy to the instance bound at {@code address}. */
  @GenIgnore
  static ChannelService createProxy(Vertx vertx, String address, long timeoutMs) {
    return new ChannelServiceVertxEBProxy(vertx, address, new DeliveryOptions().setSendTimeout(timeoutMs));
  }
}
