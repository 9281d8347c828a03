package io.socketpush.delivery;

import io.vertx.codegen.annotations.GenIgnore;
import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;

/** Internal: a user's owner tells a channel's owner that the user's presence in the channel changed. */
@ProxyGen
@VertxGen
public interface PresenceChangeService {

  /**
   * A user's presence in a channel changed ({@code change}: {@code join} or {@code leave}): the channel's owner
   * sends a join/leave frame to the channel's subscribers and emits the presence event, if the channel's
   * {@code streams.rules} entry enables presence.
   */
  Future<Void> presenceChanged(String channelId, String userId, String change);

  /** A proxy to the instance bound at {@code address}. */
  @GenIgnore
  static PresenceChangeService createProxy(Vertx vertx, String address, long timeoutMs) {
    return new PresenceChangeServiceVertxEBProxy(vertx, address, new DeliveryOptions().setSendTimeout(timeoutMs));
  }
}
