package io.socketpush.cluster;

import io.socketpush.error.Failure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Sets of strings keyed by string in the cluster's distributed data (an Infinispan-backed {@link AsyncMap}
 * when clustered, with the replication the cluster config sets). Values are stored as JSON array strings,
 * so compare-and-set works on plain string equality in every cluster manager. Updates are optimistic
 * compare-and-set loops: correct under concurrent writers, no locks.
 */
public final class DistributedSets {
  private static final int MAX_TRIES = 16;

  private final AsyncMap<String, String> map;

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

  /** Compare-and-set loop; an empty result removes the key. True if the stored value changed. */
  public Future<Boolean> update(String key, UnaryOperator<List<String>> change) {
    return attempt(key, change, 0);
  }

  private Future<Boolean> attempt(String key, UnaryOperator<List<String>> change, int tries) {
    if (tries >= MAX_TRIES) {
      return Failure.UNAVAILABLE.fail("too much contention on " + key);
    }
    return map.get(key).compose(old -> {
      List<String> before = decode(old);
      List<String> after = change.apply(before);
      if (after.equals(before)) {
        return Future.succeededFuture(false);
      }
      Future<Boolean> written;
      if (old == null) {
        written = map.putIfAbsent(key, encode(after)).map(prev -> prev == null);
      } else if (after.isEmpty()) {
        written = map.removeIfPresent(key, old);
      } else {
        written = map.replaceIfPresent(key, old, encode(after));
      }
      return written.compose(ok -> ok ? Future.succeededFuture(true) : attempt(key, change, tries + 1));
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
