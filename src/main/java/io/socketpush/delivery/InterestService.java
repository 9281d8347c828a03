package io.socketpush.delivery;

import io.vertx.codegen.annotations.GenIgnore;
import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.List;

/**
 * Internal: how edges tell a channel's owner that they hold local subscribers of it, so a publish sends one
 * message per interested edge. Soft state, rebuilt from edges' announcements.
 */
@ProxyGen
@VertxGen
public interface InterestService {

  /** Edge {@code nodeId} holds local subscribers of {@code channelId}. */
  Future<Void> addInterest(String channelId, String nodeId);

  /** Edge {@code nodeId} holds no more local subscribers of {@code channelId}. */
  Future<Void> removeInterest(String channelId, String nodeId);

  /**
   * The complete list of channels of this shard edge {@code nodeId} is interested in, sent on every ring change
   * of the edge and periodically. Answers the top position of each listed channel's stream this owner wrote
   * ({@code "channel.<id>": "<epoch>:<offset>"}): see {@link io.socketpush.delivery.PresenceService#announce}.
   */
  Future<JsonObject> announce(String nodeId, List<String> channelIds);

  /**
   * A user's presence in a channel changed ({@code change}: {@code join} or {@code leave}): the channel's owner
   * sends a join/leave frame to the channel's subscribers and emits the presence event, if the channel's
   * {@code streams.rules} entry enables presence.
   */
  Future<Void> presenceChanged(String channelId, String userId, String change);

  /** A proxy to the instance bound at {@code address}. */
  @GenIgnore
  static InterestService createProxy(Vertx vertx, String address, long timeoutMs) {
    return new InterestServiceVertxEBProxy(vertx, address, new DeliveryOptions().setSendTimeout(timeoutMs));
  }
}
