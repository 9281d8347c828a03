package io.socketpush.stream;

import io.socketpush.cluster.InfinispanKv;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.infinispan.AdvancedCache;

/**
 * The key-value calls the stream history makes, with a bulk read and a bulk write: clustered with Infinispan they
 * are the cache's own {@code getAllAsync}/{@code putAllAsync} (one command per owner instead of one per key: a resume
 * of 100 messages was 101 remote gets) and writes skip fetching previous values; otherwise a Vert.x AsyncMap.
 * Never blocking: Infinispan's async API, completed on the caller's context.
 */
interface StreamGrid {
  /** No expiry. */
  long FOREVER = -1;

  Future<String> get(String key);

  /** The values of the keys present (absent keys are missing from the map). */
  Future<Map<String, String>> getAll(java.util.Collection<String> keys);

  /** Writes with a lifespan ({@link #FOREVER} for none). */
  Future<Void> put(String key, String value, long ttlMs);

  /** Writes all, each with the lifespan. */
  Future<Void> putAll(Map<String, String> entries, long ttlMs);

  /** The previous value, or null when the key was absent and is now written. */
  Future<String> putIfAbsent(String key, String value, long ttlMs);

  Future<Void> remove(String key);

  /** Replaces {@code expected} with {@code value} (with a lifespan); false when the key holds something else. */
  Future<Boolean> replace(String key, String expected, String value, long ttlMs);

  /** Removes the keys (present or not). */
  Future<Void> removeAll(java.util.Collection<String> keys);

  /** The grid of {@code name}: the Infinispan cache when clustered with Infinispan, else the AsyncMap. */
  static Future<StreamGrid> open(Vertx vertx, String name) {
    return InfinispanKv.cache(vertx, name, b -> b.clustering().hash().groups().enabled().addGrouper(new StreamGrouper()))
        .compose(cache -> cache != null ? Future.succeededFuture(new Ispn(vertx, cache))
            : !vertx.isClustered() ? Future.succeededFuture(InMemory.of(vertx, name))
            : vertx.sharedData().<String, String>getAsyncMap(name).map(Local::new));
  }

  /** Infinispan's cache, async API: {@link InfinispanKv} plus writes with a lifespan. */
  final class Ispn extends InfinispanKv implements StreamGrid {
    /** Bulk removes: one command per owner (Infinispan's functional API with its own marshallable remove). */
    private final org.infinispan.functional.FunctionalMap.WriteOnlyMap<String, String> writeOnly;

    Ispn(Vertx vertx, AdvancedCache<String, String> cache) {
      super(vertx, cache);
      this.writeOnly = org.infinispan.functional.impl.WriteOnlyMapImpl.create(
          org.infinispan.functional.impl.FunctionalMapImpl.create(cache));
    }

    @Override
    public Future<Boolean> replace(String key, String expected, String value, long ttlMs) {
      return on(cache.replaceAsync(key, expected, value, ttlMs, TimeUnit.MILLISECONDS));
    }

    @Override
    public Future<Void> removeAll(java.util.Collection<String> keys) {
      return on(writeOnly.evalMany(new java.util.HashSet<>(keys), org.infinispan.marshall.core.MarshallableFunctions.removeConsumer()));
    }

    @Override
    public Future<Void> put(String key, String value, long ttlMs) {
      return on(noReturn.putAsync(key, value, ttlMs, TimeUnit.MILLISECONDS)).mapEmpty();
    }

    @Override
    public Future<Void> putAll(Map<String, String> entries, long ttlMs) {
      return on(noReturn.putAllAsync(entries, ttlMs, TimeUnit.MILLISECONDS));
    }

    @Override
    public Future<String> putIfAbsent(String key, String value, long ttlMs) {
      return on(cache.putIfAbsentAsync(key, value, ttlMs, TimeUnit.MILLISECONDS));
    }

    @Override
    public Future<Void> remove(String key) {
      return on(noReturn.removeAsync(key)).mapEmpty();
    }
  }

  /** A Vert.x AsyncMap (one node, or a cluster manager other than Infinispan): bulk calls are per key. */
  final class Local implements StreamGrid {
    private final AsyncMap<String, String> map;

    Local(AsyncMap<String, String> map) {
      this.map = map;
    }

    @Override
    public Future<String> get(String key) {
      return map.get(key);
    }

    @Override
    public Future<Map<String, String>> getAll(java.util.Collection<String> keys) {
      List<String> ks = new ArrayList<>(keys);
      List<Future<String>> gets = new ArrayList<>(ks.size());
      ks.forEach(k -> gets.add(map.get(k)));
      return Future.all(gets).map(all -> {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < ks.size(); i++) {
          if (gets.get(i).result() != null) {
            out.put(ks.get(i), gets.get(i).result());
          }
        }
        return out;
      });
    }

    @Override
    public Future<Void> put(String key, String value, long ttlMs) {
      return ttlMs < 0 ? map.put(key, value) : map.put(key, value, ttlMs);
    }

    @Override
    public Future<Void> putAll(Map<String, String> entries, long ttlMs) {
      List<Future<Void>> puts = new ArrayList<>(entries.size());
      entries.forEach((k, v) -> puts.add(put(k, v, ttlMs)));
      return Future.all(puts).mapEmpty();
    }

    @Override
    public Future<String> putIfAbsent(String key, String value, long ttlMs) {
      return ttlMs < 0 ? map.putIfAbsent(key, value) : map.putIfAbsent(key, value, ttlMs);
    }

    @Override
    public Future<Void> remove(String key) {
      return map.remove(key).mapEmpty();
    }

    @Override
    public Future<Boolean> replace(String key, String expected, String value, long ttlMs) {
      return ttlMs < 0 ? map.replaceIfPresent(key, expected, value) : map.replaceIfPresent(key, expected, value, ttlMs);
    }

    @Override
    public Future<Void> removeAll(java.util.Collection<String> keys) {
      List<Future<Void>> removes = new ArrayList<>(keys.size());
      keys.forEach(k -> removes.add(remove(k)));
      return Future.all(removes).mapEmpty();
    }
  }

  /**
   * One node, not clustered: a map in memory shared by the node's verticles (per Vert.x instance and name), each
   * entry with its expiry time, checked on every read. No timer per entry (a Vert.x local AsyncMap sets one per
   * write with a lifespan: two per publish with history on, 240,000 pending at 2,000 publishes/s and 120 s, which
   * made the young collections slow); expired entries of streams nobody writes or reads any more are removed by a
   * sweep that checks a few entries on every write, so the memory follows the live entries.
   */
  final class InMemory implements StreamGrid {
    private static final Map<Vertx, Map<String, InMemory>> MAPS = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());
    /** Entries checked by the sweep per write: every entry is checked once per (size / SWEEP) writes. */
    private static final int SWEEP = 4;

    private record Entry(String value, long expiresAt) {
      boolean expired(long now) {
        return now >= expiresAt;
      }
    }

    private final java.util.concurrent.ConcurrentHashMap<String, Entry> map = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.locks.ReentrantLock sweepLock = new java.util.concurrent.locks.ReentrantLock();
    private java.util.Iterator<Map.Entry<String, Entry>> sweep;

    static InMemory of(Vertx vertx, String name) {
      return MAPS.computeIfAbsent(vertx, v -> new java.util.concurrent.ConcurrentHashMap<>()).computeIfAbsent(name, n -> new InMemory());
    }

    private static long expiry(long ttlMs) {
      return ttlMs < 0 ? Long.MAX_VALUE : System.currentTimeMillis() + ttlMs;
    }

    private String read(String key, long now) {
      Entry e = map.get(key);
      if (e == null) {
        return null;
      }
      if (e.expired(now)) {
        map.remove(key, e);
        return null;
      }
      return e.value();
    }

    /** Checks the next few entries of a walk over the map, removing expired ones; one walk after the other. */
    private void sweep(long now) {
      if (!sweepLock.tryLock()) {
        return; // another thread sweeps right now
      }
      try {
        for (int i = 0; i < SWEEP; i++) {
          if (sweep == null || !sweep.hasNext()) {
            sweep = map.entrySet().iterator();
            if (!sweep.hasNext()) {
              return;
            }
          }
          Map.Entry<String, Entry> e = sweep.next();
          if (e.getValue().expired(now)) {
            map.remove(e.getKey(), e.getValue());
          }
        }
      } finally {
        sweepLock.unlock();
      }
    }

    @Override
    public Future<String> get(String key) {
      return Future.succeededFuture(read(key, System.currentTimeMillis()));
    }

    @Override
    public Future<Map<String, String>> getAll(java.util.Collection<String> keys) {
      long now = System.currentTimeMillis();
      Map<String, String> out = new HashMap<>();
      for (String k : keys) {
        String v = read(k, now);
        if (v != null) {
          out.put(k, v);
        }
      }
      return Future.succeededFuture(out);
    }

    @Override
    public Future<Void> put(String key, String value, long ttlMs) {
      map.put(key, new Entry(value, expiry(ttlMs)));
      sweep(System.currentTimeMillis());
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> putAll(Map<String, String> entries, long ttlMs) {
      long at = expiry(ttlMs);
      entries.forEach((k, v) -> map.put(k, new Entry(v, at)));
      sweep(System.currentTimeMillis());
      return Future.succeededFuture();
    }

    @Override
    public Future<String> putIfAbsent(String key, String value, long ttlMs) {
      long now = System.currentTimeMillis();
      Entry fresh = new Entry(value, expiry(ttlMs));
      while (true) {
        Entry old = map.putIfAbsent(key, fresh);
        if (old == null) {
          sweep(now);
          return Future.succeededFuture(null);
        }
        if (!old.expired(now)) {
          return Future.succeededFuture(old.value());
        }
        if (map.replace(key, old, fresh)) { // an expired entry counts as absent
          sweep(now);
          return Future.succeededFuture(null);
        }
      }
    }

    @Override
    public Future<Void> remove(String key) {
      map.remove(key);
      return Future.succeededFuture();
    }

    @Override
    public Future<Boolean> replace(String key, String expected, String value, long ttlMs) {
      long now = System.currentTimeMillis();
      Entry old = map.get(key);
      if (old == null || old.expired(now) || !old.value().equals(expected)) {
        return Future.succeededFuture(false);
      }
      return Future.succeededFuture(map.replace(key, old, new Entry(value, expiry(ttlMs))));
    }

    @Override
    public Future<Void> removeAll(java.util.Collection<String> keys) {
      keys.forEach(map::remove);
      return Future.succeededFuture();
    }

    /** Entries held, expired ones not swept yet included (for tests). */
    int size() {
      return map.size();
    }
  }
}
