package io.socketpush.channel;

import io.vertx.codegen.annotations.GenIgnore;
import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.socketpush.message.PushMessage;
import io.socketpush.stream.PublishResult;
import java.util.List;

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
   * Channels a user is subscribed to (at most cluster.listLimit).
   *
   * @param userId the user
   */
  Future<List<String>> getSubscriptions(String userId);

  /**
   * Users subscribed to a channel (at most cluster.listLimit).
   *
   * @param channelId the channel (shard key)
   */
  Future<List<String>> getSubscribers(String channelId);

  /**
   * Publishes a message to every socket of every user subscribed to the channel; returns the number of
   * sockets reached and the message's position in the channel's stream ({@code channel.<channelId>}: epoch
   * and offset, stored in its history before this is acknowledged). Fails UNAVAILABLE if an edge node holding subscribers did not take the message (not
   * acknowledged; others may have got it, so a retry can reach some sockets twice).
   *
   * @param channelId the channel (shard key)
   * @param message   any JSON value
   */
  Future<PublishResult> publish(String channelId, PushMessage message);

  /** Channels with at least one subscriber (at most cluster.listLimit). */
  Future<List<String>> listAll();

  /** A proxy to the instance bound at {@code address}. */
  @GenIgnore
  static ChannelService createProxy(Vertx vertx, String address, long timeoutMs) {
    return new ChannelServiceVertxEBProxy(vertx, address, new DeliveryOptions().setSendTimeout(timeoutMs));
  }
}
