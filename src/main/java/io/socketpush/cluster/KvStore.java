package io.socketpush.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.Map;

/**
 * String keys to string values in the cluster's distributed data, with the atomic single-key operations
 * the paged sets need. Clustered with Infinispan: a distributed cache (two owners, synchronous, defined in
 * conf/infinispan.xml) used through its asynchronous API, so no call blocks the event loop. Without a
 * cluster (one-JVM tests): a map of this Vert.x instance.
 */
public interface KvStore {

  /** The value of {@code key}, null when absent. */
  Future<String> get(String key);

  /** The values of those {@code keys} that are present. */
  Future<Map<String, String>> getAll(Collection<String> keys);

  /** Sets a value (no previous value returned). */
  Future<Void> put(String key, String value);

  /** Sets a value unless present; the value that was there, null when this call set it. */
  Future<String> putIfAbsent(String key, String value);

  /** Replaces {@code expected} by {@code value}; false when the key did not hold {@code expected}. */
  Future<Boolean> replace(String key, String expected, String value);

  /** Removes the key if it holds {@code expected}; false otherwise. */
  Future<Boolean> remove(String key, String expected);

  /** Number of entries (for tests and the bench: a full count, not for request paths). */
  Future<Long> size();

  /**
   * Opens the named store: the Infinispan cache of that name when {@code vertx} is clustered with
   * Infinispan (starting it takes a blocking call, run on a worker), else a local map of this Vert.x.
   */
  static Future<KvStore> open(Vertx vertx, String name) {
    return InfinispanKv.cache(vertx, name, b -> { }).map(cache -> cache != null ? new InfinispanKv(vertx, cache)
        : new LocalKv(LocalKv.named(vertx, name)));
  }

}
