package io.socketpush.shard;

import io.socketpush.user.PresenceService;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

  /** Sends each owner exactly the users of its shard, including owners that get an empty list. */
  @Override
  public Future<Void> announce(String nodeId, List<String> userIds) {
    return Future.all(Grouping.byOwner(shard.ring(), userIds).entrySet().stream()
        .map(e -> shard.on(e.getKey()).announce(nodeId, e.getValue())).toList()).mapEmpty();
  }

  @Override
  public Future<List<String>> edgesOf(String userId) {
    return shard.route(userId, s -> s.edgesOf(userId));
  }

  /** Groups keys by their owner on a ring; every member appears, possibly with an empty list. */
  static final class Grouping {
    private Grouping() {
    }

    static Map<String, List<String>> byOwner(HashRing ring, Collection<String> keys) {
      Map<String, List<String>> out = new HashMap<>();
      ring.members().forEach(m -> out.put(m, new ArrayList<>()));
      for (String k : keys) {
        ring.owner(k).ifPresent(o -> out.get(o).add(k));
      }
      return out;
    }
  }
}
