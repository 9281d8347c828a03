package io.socketpush.auth;

import io.vertx.codegen.annotations.GenIgnore;
import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;

/**
 * Sessions the application backend registers for its users; a browser socket authenticates with one.
 * Sharded by userId.
 */
@ProxyGen
@VertxGen
public interface AuthService {

  /**
   * Registers a session of a user; the user may then connect with it. A user may hold several sessions
   * (one per device); the oldest is dropped beyond the per-user cap.
   *
   * @param userId    the user (shard key)
   * @param sessionId the session id the browser will present
   */
  Future<Void> set(String userId, String sessionId);

  /**
   * Checks a session; succeeds with the userId, fails AUTH_FAILED when the session is not registered.
   *
   * @param userId    the user (shard key)
   * @param sessionId the session id to check
   */
  Future<String> check(String userId, String sessionId);

  /**
   * Removes every session of a user; sockets already open stay open (see user.remove).
   *
   * @param userId the user (shard key)
   */
  Future<Void> remove(String userId);

  /** A proxy to the instance bound at {@code address}. */
  @GenIgnore
  static AuthService createProxy(Vertx vertx, String address, long timeoutMs) {
    return new AuthServiceVertxEBProxy(vertx, address, new DeliveryOptions().setSendTimeout(timeoutMs));
  }
}
