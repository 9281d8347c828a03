package io.socketpush.user;

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
   * before this is acknowledged). A user between sockets (its last socket closed less than
   * removeUserAfterDisconnectTimeout ago) is not offline: the message is stored for its resume (0 sockets).
   * Fails NOT_CONNECTED when the user has no open socket and is not between sockets, UNAVAILABLE if an edge
   * node holding its sockets did not take the message (not acknowledged; others may have got it, so a retry can
   * reach some sockets twice).
   *
   * @param userId  the user (shard key)
   * @param message any JSON value
   * @param idempotencyKey optional: a retry with the same key within the stream's history window is answered with
   *                       the first attempt's position and sent again under it; edges drop positions they already wrote, so no
   *                       socket gets it twice (sockets counts only those that get it now) (null: none)
   */
  Future<PublishResult> publish(String userId, PushMessage message, @Nullable String idempotencyKey);

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

  /**
   * One page of the users with at least one open socket, sorted by userId.
   *
   * @param limit  most items in the page; 0 for cluster.listLimit, which is also the maximum
   * @param cursor nextCursor of the previous page; null or empty for the first page
   */
  Future<Page> listAll(int limit, @Nullable String cursor);

  /**
   * Reads the user's stream ({@code user.<userId>}) from its history: {@code {"epoch": .., "top": "<offset>",
   * "messages": [{"offset": "<offset>", "message": ..}]}}, the messages after {@code since}, oldest first (epoch
   * null and no messages when the stream has no history).
   *
   * @param userId the user (shard key)
   * @param since  the offset to read after (a 64-bit integer as a string); null or empty: from the oldest kept
   * @param limit  most messages returned; 0: as many as the stream keeps
   */
  Future<JsonObject> history(String userId, @Nullable String since, int limit);

  /** A proxy to the instance bound at {@code address}. */
  @GenIgnore
  static UserService createProxy(Vertx vertx, String address, long timeoutMs) {
    return new UserServiceVertxEBProxy(vertx, address, new DeliveryOptions().setSendTimeout(timeoutMs));
  }
}
