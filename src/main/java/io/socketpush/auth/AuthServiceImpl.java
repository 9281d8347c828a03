package io.socketpush.auth;

import io.socketpush.cluster.DistributedSets;
import io.socketpush.config.NodeConfig.Role;
import io.socketpush.error.Failure;
import io.socketpush.error.Validate;
import io.socketpush.cluster.HashRing;
import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * One shard of AuthService. Sessions are hard state in the distributed data; this instance only checks it
 * owns the user before touching them, so a stale caller is told WRONG_SHARD.
 */
final class AuthServiceImpl implements AuthService {
  /** Sessions kept per user; the oldest is dropped beyond this. */
  static final int MAX_SESSIONS_PER_USER = 32;

  private final String nodeId;
  private final Supplier<HashRing> ring;
  private final DistributedSets sessions;

  AuthServiceImpl(String nodeId, Supplier<HashRing> ring, DistributedSets sessions) {
    this.nodeId = nodeId;
    this.ring = ring;
    this.sessions = sessions;
  }

  @Override
  public Future<Void> set(String userId, String sessionId) {
    Future<Void> bad = guard(userId, sessionId);
    return bad != null ? bad : sessions.add(userId, sessionId, MAX_SESSIONS_PER_USER).mapEmpty();
  }

  @Override
  public Future<String> check(String userId, String sessionId) {
    Future<String> bad = guard(userId, sessionId);
    if (bad != null) {
      return bad;
    }
    return sessions.get(userId).compose(list -> list.contains(sessionId)
        ? Future.succeededFuture(userId)
        : Failure.AUTH_FAILED.fail("unknown session for user " + userId));
  }

  @Override
  public Future<Void> remove(String userId) {
    Future<Void> bad = guard(userId, "-");
    return bad != null ? bad : sessions.removeKey(userId);
  }

  private <T> Future<T> guard(String userId, String sessionId) {
    Future<T> bad = Validate.ids("userId", userId, "sessionId", sessionId);
    if (bad != null) {
      return bad;
    }
    if (!ring.get().owns(nodeId, userId)) {
      return Failure.WRONG_SHARD.fail("node " + nodeId + " does not own user " + userId + " in " + Role.AUTH.id() + " ring v" + ring.get().version());
    }
    return null;
  }
}
