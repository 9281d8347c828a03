package io.socketpush.events;

import io.socketpush.cluster.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.infinispan.AdvancedCache;
import org.infinispan.context.Flag;

/**
 * The webhook outbox's storage: string entries in the distributed cache {@value #CACHE} (Infinispan, 2 owners,
 * sync; conf/infinispan.xml), with compare-and-set writes and a cluster-wide key listing. Not clustered: a local
 * map.
 */
public interface OutboxStore {

  Future<String> get(String key);

  /** Stores {@code value} if absent; the current value otherwise (null: stored). */
  Future<String> putIfAbsent(String key, String value);

  Future<Boolean> replace(String key, String expected, String value);

  Future<Boolean> remove(String key, String expected);

  /**
   * Every key starting with {@code prefix}, cluster-wide (a distributed iteration, on a worker thread). The outbox
   * is drained as it is delivered, so this stays small.
   */
  Future<List<String>> keys(String prefix);

  /** Opens the outbox: the distributed cache when clustered with Infinispan, else a local map. */
  static Future<OutboxStore> open(Vertx vertx) {
    return io.socketpush.cluster.InfinispanKv.cache(vertx, Addresses.EVENTS_MAP, b -> { })
        .map(cache -> cache != null ? new Grid(vertx, cache) : new Local(io.socketpush.cluster.LocalKv.named(vertx, Addresses.EVENTS_MAP)));
  }

  /** On the Infinispan cache: {@link io.socketpush.cluster.InfinispanKv}'s calls plus a key listing. */
  final class Grid extends io.socketpush.cluster.InfinispanKv implements OutboxStore {
    private final Vertx vertx;

    Grid(Vertx vertx, AdvancedCache<String, String> cache) {
      super(vertx, cache);
      this.vertx = vertx;
    }

    @Override
    public Future<List<String>> keys(String prefix) {
      return vertx.executeBlocking(() -> {
        List<String> out = new ArrayList<>();
        for (String k : cache.withFlags(Flag.SKIP_CACHE_LOAD).keySet()) {
          if (k.startsWith(prefix)) {
            out.add(k);
          }
        }
        return out;
      }, false);
    }
  }

  /** In memory (a node that is not clustered): {@link io.socketpush.cluster.LocalKv}'s calls plus a key listing. */
  final class Local extends io.socketpush.cluster.LocalKv implements OutboxStore {
    /** On a map of its own (tests). */
    Local() {
      super(new java.util.concurrent.ConcurrentHashMap<>());
    }

    Local(java.util.concurrent.ConcurrentMap<String, String> map) {
      super(map);
    }

    @Override
    public Future<List<String>> keys(String prefix) {
      return Future.succeededFuture(map.keySet().stream().filter(k -> k.startsWith(prefix)).sorted().toList());
    }
  }
}
