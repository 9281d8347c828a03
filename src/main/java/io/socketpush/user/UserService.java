package io.socketpush.user;

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
 * Presence of users (which edge nodes hold their sockets) and publishing to one user. Sharded by userId.
 */
@ProxyGen
@VertxGen
public interface UserService {

  /**
   * Publishes a message to every open socket of a user; returns the number of sockets reached and the
   * message's position in the user's stream ({@code user.<userId>}: epoch and offset, stored in its history
   * before this is acknowledged); fails NOT_CONNECTED when the user has no open socket, UNAVAILABLE if an edge
   * node holding its sockets did not take the message (not acknowledged; others may have got it, so a retry can
   * reach some sockets twice).
   *
   * @param userId  the user (shard key)
   * @param message any JSON value
   */
  Future<PublishResult> publish(String userId, PushMessage message);

  /**
   * Closes every socket of a user; returns the number of sockets closed.
   *
   * @param userId the user (shard key)
   */
  Future<Integer> remove(String userId);

  /**
   * Client URLs of the edge nodes holding the user's sockets; empty when the user is offline.
   *
   * @param userId the user (shard key)
   */
  Future<List<String>> getFrontendServer(String userId);

  /** Users with at least one open socket (at most cluster.listLimit). */
  Future<List<String>> listAll();

  /** A proxy to the instance bound at {@code address}. */
  @GenIgnore
  static UserService createProxy(Vertx vertx, String address, long timeoutMs) {
    return new UserServiceVertxEBProxy(vertx, address, new DeliveryOptions().setSendTimeout(timeoutMs));
  }
}
