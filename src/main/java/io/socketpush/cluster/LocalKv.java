package io.socketpush.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * {@link KvStore} on a map in memory (a node that is not clustered): every operation completes at once. Extended
 * by stores that add calls of their own (the webhook outbox's key listing), as the Infinispan ones extend
 * {@link InfinispanKv}.
 */
public class LocalKv implements KvStore {
  /** The named maps of one Vert.x instance, shared by its verticles (as its local maps are). */
  private static final String MAPS = "socketpush.localkv";

  protected final ConcurrentMap<String, String> map;

  public LocalKv(ConcurrentMap<String, String> map) {
    this.map = map;
  }

  /** The map called {@code name} of this Vert.x instance: the same map for every caller. */
  public static ConcurrentMap<String, String> named(Vertx vertx, String name) {
    return vertx.sharedData().<String, Named>getLocalMap(MAPS).computeIfAbsent(name, n -> new Named()).map;
  }

  /** A map held in a Vert.x local map, which takes only shareable values. */
  private static final class Named implements Shareable {
    final ConcurrentMap<String, String> map = new ConcurrentHashMap<>();
  }

  @Override
  public Future<String> get(String key) {
    return Future.succeededFuture(map.get(key));
  }

  @Override
  public Future<Map<String, String>> getAll(Collection<String> keys) {
    Map<String, String> out = new HashMap<>();
    for (String k : keys) {
      String v = map.get(k);
      if (v != null) {
        out.put(k, v);
      }
    }
    return Future.succeededFuture(out);
  }

  @Override
  public Future<Void> put(String key, String value) {
    map.put(key, value);
    return Future.succeededFuture();
  }

  @Override
  public Future<String> putIfAbsent(String key, String value) {
    return Future.succeededFuture(map.putIfAbsent(key, value));
  }

  @Override
  public Future<Boolean> replace(String key, String expected, String value) {
    return Future.succeededFuture(map.replace(key, expected, value));
  }

  @Override
  public Future<Boolean> remove(String key, String expected) {
    return Future.succeededFuture(map.remove(key, expected));
  }

  @Override
  public Future<Long> size() {
    return Future.succeededFuture((long) map.size());
  }
}
