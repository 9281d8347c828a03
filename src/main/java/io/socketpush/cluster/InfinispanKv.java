package io.socketpush.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.infinispan.AdvancedCache;
import org.infinispan.context.Flag;

/**
 * {@link KvStore} on an Infinispan cache through its asynchronous API. Results come back on the caller's
 * Vert.x context (Infinispan completes them on its own threads). Open for the stream history's store, which adds
 * writes with a lifespan.
 */
public class InfinispanKv implements KvStore {
  private final Vertx vertx;
  protected final AdvancedCache<String, String> cache;
  /** For writes whose previous value nobody reads: saves fetching it from the owner. */
  protected final AdvancedCache<String, String> noReturn;

  protected InfinispanKv(Vertx vertx, AdvancedCache<String, String> cache) {
    this.vertx = vertx;
    this.cache = cache;
    this.noReturn = cache.withFlags(Flag.IGNORE_RETURN_VALUES);
  }

  /**
   * The Infinispan cache {@code name} of this clustered Vert.x, started on a worker (a blocking call); when the
   * config does not define it, a distributed cache with two owners, synchronous, plus {@code extra}. Null (a
   * succeeded null) when Vert.x is not clustered with Infinispan.
   */
  public static Future<AdvancedCache<String, String>> cache(Vertx vertx, String name,
      java.util.function.Consumer<org.infinispan.configuration.cache.ConfigurationBuilder> extra) {
    if (!(vertx.isClustered() && vertx instanceof io.vertx.core.internal.VertxInternal vi
        && vi.clusterManager() instanceof io.vertx.ext.cluster.infinispan.InfinispanClusterManager icm
        && icm.getCacheContainer() instanceof org.infinispan.manager.EmbeddedCacheManager ecm)) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      if (ecm.getCacheConfiguration(name) == null) {
        // normally defined in conf/infinispan.xml; the same settings for a cluster started without it
        org.infinispan.configuration.cache.ConfigurationBuilder b = new org.infinispan.configuration.cache.ConfigurationBuilder();
        b.clustering().cacheMode(org.infinispan.configuration.cache.CacheMode.DIST_SYNC).remoteTimeout(5_000).hash().numOwners(2);
        extra.accept(b);
        ecm.defineConfiguration(name, b.build());
      }
      return ecm.<String, String>getCache(name).getAdvancedCache();
    });
  }

  protected <T> Future<T> on(CompletionStage<T> stage) {
    return Future.fromCompletionStage(stage, vertx.getOrCreateContext());
  }

  @Override
  public Future<String> get(String key) {
    return on(cache.getAsync(key));
  }

  @Override
  public Future<Map<String, String>> getAll(Collection<String> keys) {
    return on(cache.getAllAsync(new HashSet<>(keys)));
  }

  @Override
  public Future<Void> put(String key, String value) {
    return on(noReturn.putAsync(key, value)).mapEmpty();
  }

  @Override
  public Future<String> putIfAbsent(String key, String value) {
    return on(cache.putIfAbsentAsync(key, value));
  }

  @Override
  public Future<Boolean> replace(String key, String expected, String value) {
    return on(cache.replaceAsync(key, expected, value));
  }

  @Override
  public Future<Boolean> remove(String key, String expected) {
    return on(cache.removeAsync(key, expected));
  }

  @Override
  public Future<Long> size() {
    return on(cache.sizeAsync());
  }
}
