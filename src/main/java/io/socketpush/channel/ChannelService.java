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
   * sockets reached. Fails UNAVAILABLE if an edge node holding subscribers did not take the message (not
   * acknowledged; others may have got it, so a retry can reach some sockets twice).
   *
   * @param channelId the channel (shard key)
   * @param message   any JSON value
   */
  Future<Integer> publish(String channelId, PushMessage message);

  /**
   * One page of the channels with at least one subscriber.
   *
   * @param limit  most items in the page; 0 for cluster.listLimit, which is also the maximum
   * @param cursor nextCursor of the previous page; null or empty for the first page
   */
  Future<Page> listAll(int limit, @Nullable String cursor);

  /** A proxy to the instance bound at {@code address}. */
  @GenIgnore
  static ChannelService createProxy(Vertx vertx, String address, long timeoutMs) {
    return new ChannelServiceVertxEBProxy(vertx, address, new DeliveryOptions().setSendTimeout(timeoutMs));
  }
}
