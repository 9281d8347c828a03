package io.socketpush.cluster;

import io.vertx.core.Future;
import io.vertx.core.shareddata.LocalMap;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/** {@link KvStore} on a map of one Vert.x instance (no cluster): every operation completes at once. */
final class LocalKv implements KvStore {
  private final LocalMap<String, String> map;

  LocalKv(LocalMap<String, String> map) {
    this.map = map;
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
    return Future.succeededFuture(map.replaceIfPresent(key, expected, value));
  }

  @Override
  public Future<Boolean> remove(String key, String expected) {
    return Future.succeededFuture(map.removeIfPresent(key, expected));
  }

  @Override
  public Future<Long> size() {
    return Future.succeededFuture((long) map.size());
  }
}
