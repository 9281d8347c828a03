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
 * Vert.x context (Infinispan completes them on its own threads).
 */
final class InfinispanKv implements KvStore {
  private final Vertx vertx;
  private final AdvancedCache<String, String> cache;
  /** For writes whose previous value nobody reads: saves fetching it from the owner. */
  private final AdvancedCache<String, String> noReturn;

  InfinispanKv(Vertx vertx, AdvancedCache<String, String> cache) {
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
