package io.socketpush.shard;

import io.socketpush.cluster.HashRing;
import io.socketpush.delivery.PresenceService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Internal presence calls of edges, routed to the owner of each userId. */
public final class ShardedPresence implements PresenceService {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ShardedPresence.class);
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

  /**
   * Sends each owner exactly the users of its shard, including owners that get an empty list; answers the tops
   * of every owner that answered (an owner that did not is logged; the next announcement tries again).
   */
  @Override
  public Future<JsonObject> announce(String nodeId, List<String> userIds) {
    return Grouping.merged(Grouping.byOwner(shard.ring(), userIds).entrySet().stream()
        .map(e -> shard.on(e.getKey()).announce(nodeId, e.getValue())).toList());
  }

  @Override
  public Future<List<String>> edgesOf(String userId) {
    return shard.route(userId, s -> s.edgesOf(userId));
  }

  /** Groups keys by their owner on a ring; every member appears, possibly with an empty list. */
  static final class Grouping {
    private Grouping() {
    }

    /** The owners' answers merged; fails only when every owner failed. */
    static Future<JsonObject> merged(List<Future<JsonObject>> answers) {
      return Future.join(answers).transform(ar -> {
        JsonObject tops = new JsonObject();
        Throwable failure = null;
        for (Future<JsonObject> a : answers) {
          if (a.succeeded() && a.result() != null) {
            tops.mergeIn(a.result());
          } else if (a.failed()) {
            failure = a.cause();
          }
        }
        if (failure != null) {
          LOG.debug("announce not answered by every owner: {}", failure.getMessage());
          if (answers.stream().noneMatch(Future::succeeded)) {
            return Future.failedFuture(failure);
          }
        }
        return Future.succeededFuture(tops);
      });
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
