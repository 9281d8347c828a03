package io.socketpush.shard;

import io.socketpush.delivery.PresenceService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Internal presence calls of edges, routed to the owner of each userId. */
public final class ShardedPresence implements PresenceService {
  private final Shard<PresenceService> shard;

  public ShardedPresence(Shard<PresenceService> shard) {
    this.shard = shard;
  }

  @Override
  public Future<Void> attach(String userId, String nodeId) {
    return shard.route(userId, s -> s.attach(userId, nodeId));
  }

  @Override
  public Future<Void> detach(String userId, String nodeId) {
    return shard.route(userId, s -> s.detach(userId, nodeId));
  }

  /** Each owner gets exactly the users of its shard ({@link Announcements}). */
  @Override
  public Future<JsonObject> announce(String nodeId, List<String> userIds) {
    return Announcements.announce(shard, userIds, (s, mine) -> s.announce(nodeId, mine));
  }

  @Override
  public Future<List<String>> edgesOf(String userId) {
    return shard.route(userId, s -> s.edgesOf(userId));
  }
}
