package io.socketpush.stream;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.ext.cluster.infinispan.InfinispanClusterManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.infinispan.AdvancedCache;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.context.Flag;
import org.infinispan.manager.EmbeddedCacheManager;

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
  Future<Map<String, String>> getAll(Set<String> keys);

  /** Writes with a lifespan ({@link #FOREVER} for none). */
  Future<Void> put(String key, String value, long ttlMs);

  /** Writes all, each with the lifespan. */
  Future<Void> putAll(Map<String, String> entries, long ttlMs);

  /** The previous value, or null when the key was absent and is now written. */
  Future<String> putIfAbsent(String key, String value, long ttlMs);

  Future<Void> remove(String key);

  /** The grid of {@code name}: the Infinispan cache when clustered with Infinispan, else the AsyncMap. */
  static Future<StreamGrid> open(Vertx vertx, String name) {
    if (vertx.isClustered() && vertx instanceof VertxInternal vi
        && vi.clusterManager() instanceof InfinispanClusterManager icm
        && icm.getCacheContainer() instanceof EmbeddedCacheManager ecm) {
      return vertx.executeBlocking(() -> {
        if (ecm.getCacheConfiguration(name) == null) {
          // normally defined in conf/infinispan.xml; the same settings for a cluster started without it
          ConfigurationBuilder b = new ConfigurationBuilder();
          b.clustering().cacheMode(CacheMode.DIST_SYNC).remoteTimeout(5_000).hash().numOwners(2)
              .groups().enabled().addGrouper(new StreamGrouper());
          ecm.defineConfiguration(name, b.build());
        }
        return new Ispn(vertx, ecm.<String, String>getCache(name).getAdvancedCache());
      });
    }
    return vertx.sharedData().<String, String>getAsyncMap(name).map(Local::new);
  }

  /** Infinispan's cache, async API. */
  final class Ispn implements StreamGrid {
    private final Vertx vertx;
    private final AdvancedCache<String, String> cache;
    /** For writes whose previous value nobody reads: saves fetching it from the owner. */
    private final AdvancedCache<String, String> noReturn;

    Ispn(Vertx vertx, AdvancedCache<String, String> cache) {
      this.vertx = vertx;
      this.cache = cache;
      this.noReturn = cache.withFlags(Flag.IGNORE_RETURN_VALUES);
    }

    private <T> Future<T> on(CompletionStage<T> stage) {
      return Future.fromCompletionStage(stage, vertx.getOrCreateContext());
    }

    @Override
    public Future<String> get(String key) {
      return on(cache.getAsync(key));
    }

    @Override
    public Future<Map<String, String>> getAll(Set<String> keys) {
      return on(cache.getAllAsync(keys));
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
    public Future<Map<String, String>> getAll(Set<String> keys) {
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
  }
}
