package io.socketpush.shard;

import io.socketpush.cluster.HashRing;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * An edge's announcement (presence or interest: its complete list of keys) split by owner: each owner gets exactly
 * the keys of its shard, including owners that get an empty list (so they drop what the edge no longer holds).
 */
final class Announcements {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Announcements.class);

  private Announcements() {
  }

  /**
   * Sends {@code call} to every member of the shard's ring with its keys; answers the tops of every owner that
   * answered (an owner that did not is logged; the next announcement tries again).
   */
  static <S> Future<JsonObject> announce(Shard<S> shard, Collection<String> keys, BiFunction<S, List<String>, Future<JsonObject>> call) {
    return merged(byOwner(shard.ring(), keys).entrySet().stream()
        .map(e -> call.apply(shard.on(e.getKey()), e.getValue())).toList());
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

  /** Groups keys by their owner on a ring; every member appears, possibly with an empty list. */
  static Map<String, List<String>> byOwner(HashRing ring, Collection<String> keys) {
    Map<String, List<String>> out = new HashMap<>();
    ring.members().forEach(m -> out.put(m, new ArrayList<>()));
    for (String k : keys) {
      ring.owner(k).ifPresent(o -> out.get(o).add(k));
    }
    return out;
  }
}
