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
 * Internal: how edges tell a user's owner where the user's sockets are. Soft state, rebuilt from edges'
 * announcements. Not part of the management API.
 */
@ProxyGen
@VertxGen
public interface PresenceService {

  /** Edge {@code nodeId} now holds at least one socket of {@code userId}. */
  Future<Void> attach(String userId, String nodeId);

  /** Edge {@code nodeId} no longer holds a socket of {@code userId}. */
  Future<Void> detach(String userId, String nodeId);

  /**
   * The complete list of users of this shard held by edge {@code nodeId} (entries of that edge not listed are
   * dropped), sent on every ring change of the edge and periodically. Answers the top position of each listed
   * user's stream this owner wrote ({@code "user.<id>": "<epoch>:<offset>"}), so the edge reads from history
   * what was acknowledged while this owner did not know it (the one ring-change handover, DESIGN "Streams").
   */
  Future<JsonObject> announce(String nodeId, List<String> userIds);

  /** Edge node ids holding sockets of {@code userId}. */
  Future<List<String>> edgesOf(String userId);

  /** A proxy to the instance bound at {@code address}. */
  @GenIgnore
  static PresenceService createProxy(Vertx vertx, String address, long timeoutMs) {
    return new PresenceServiceVertxEBProxy(vertx, address, new DeliveryOptions().setSendTimeout(timeoutMs));
  }
}
