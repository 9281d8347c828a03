package io.socketpush.cluster;

import io.socketpush.error.Failure;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Sets of strings keyed by string in the cluster's distributed data (an Infinispan-backed {@link AsyncMap}
 * when clustered, with the replication the cluster config sets). Values are stored as JSON array strings,
 * so compare-and-set works on plain string equality in every cluster manager. Updates are optimistic
 * compare-and-set loops: correct under concurrent writers, no locks. Each set is one value rewritten whole on
 * every change: only for small, capped sets (a user's sessions); large sets use {@link PagedSets}.
 */
public final class DistributedSets {
  private static final int MAX_TRIES = 16;

  private final AsyncMap<String, String> map;
  /** Per key: changes waiting for the write in flight to finish. */
  private final Map<String, Batch> queues = new HashMap<>();

  private DistributedSets(AsyncMap<String, String> map) {
    this.map = map;
  }

  /** Opens (or creates) the named distributed map. */
  public static Future<DistributedSets> open(Vertx vertx, String name) {
    return vertx.sharedData().<String, String>getAsyncMap(name).map(DistributedSets::new);
  }

  /** Members of {@code key}, in insertion order; empty when absent. */
  public Future<List<String>> get(String key) {
    return map.get(key).map(DistributedSets::decode);
  }

  /** Adds a member; when {@code cap > 0} the oldest members beyond it are dropped. True if changed. */
  public Future<Boolean> add(String key, String member, int cap) {
    return update(key, members -> {
      LinkedHashSet<String> s = new LinkedHashSet<>(members);
      s.remove(member);
      s.add(member);
      List<String> out = new ArrayList<>(s);
      while (cap > 0 && out.size() > cap) {
        out.remove(0);
      }
      return out;
    });
  }

  /** Removes a member. True if changed. */
  public Future<Boolean> remove(String key, String member) {
    return update(key, members -> {
      List<String> out = new ArrayList<>(members);
      out.remove(member);
      return out;
    });
  }

  /** Removes the whole key. */
  public Future<Void> removeKey(String key) {
    return map.remove(key).mapEmpty();
  }

  /** Every key (use with care: a full scan). */
  public Future<Set<String>> keys() {
    return map.keys();
  }

  /**
   * Compare-and-set loop; an empty result removes the key. True if this change altered the set. Updates
   * of one key through this instance are group-committed: while one write of the key is in flight, later
   * changes queue up and are then applied together in one compare-and-set. A shard owner is normally the
   * only writer of its keys, so a burst of changes to one key costs a few round trips to the distributed
   * data, not one contended compare-and-set each.
   */
  public Future<Boolean> update(String key, UnaryOperator<List<String>> change) {
    Op op = new Op(change, Promise.promise());
    boolean first;
    synchronized (queues) {
      Batch b = queues.computeIfAbsent(key, k -> new Batch());
      b.waiting.add(op);
      first = !b.running;
      b.running = true;
    }
    if (first) {
      runNext(key);
    }
    return op.promise().future();
  }

  private record Op(UnaryOperator<List<String>> change, Promise<Boolean> promise) {
  }

  private static final class Batch {
    List<Op> waiting = new ArrayList<>();
    boolean running;
  }

  private void runNext(String key) {
    List<Op> ops;
    synchronized (queues) {
      Batch b = queues.get(key);
      if (b.waiting.isEmpty()) {
        queues.remove(key);
        return;
      }
      ops = b.waiting;
      b.waiting = new ArrayList<>();
    }
    attempt(key, ops, 0).onComplete(ar -> {
      for (int i = 0; i < ops.size(); i++) {
        if (ar.succeeded()) {
          ops.get(i).promise().complete(ar.result()[i]);
        } else {
          ops.get(i).promise().fail(ar.cause());
        }
      }
      runNext(key);
    });
  }

  private Future<boolean[]> attempt(String key, List<Op> ops, int tries) {
    if (tries >= MAX_TRIES) {
      return Failure.UNAVAILABLE.fail("too much contention on " + key);
    }
    return map.get(key).compose(old -> {
      List<String> before = decode(old);
      List<String> after = before;
      boolean[] changed = new boolean[ops.size()];
      for (int i = 0; i < ops.size(); i++) {
        List<String> next = ops.get(i).change().apply(after);
        changed[i] = !next.equals(after);
        after = next;
      }
      if (after.equals(before)) {
        return Future.succeededFuture(changed);
      }
      Future<Boolean> written;
      if (old == null) {
        written = map.putIfAbsent(key, encode(after)).map(prev -> prev == null);
      } else if (after.isEmpty()) {
        written = map.removeIfPresent(key, old);
      } else {
        written = map.replaceIfPresent(key, old, encode(after));
      }
      return written.compose(ok -> ok ? Future.succeededFuture(changed) : attempt(key, ops, tries + 1));
    });
  }

  static List<String> decode(String s) {
    List<String> out = new ArrayList<>();
    if (s != null) {
      new JsonArray(s).forEach(o -> out.add((String) o));
    }
    return out;
  }

  static String encode(List<String> members) {
    return new JsonArray(new ArrayList<>(members)).encode();
  }
}
