package io.socketpush.shard;

import io.socketpush.delivery.RegistryService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The edges' registry calls, routed to the owner of each key: one instance on the user ring (presence), one on
 * the channel ring (interest).
 */
public final class ShardedRegistry implements RegistryService {
  private final Shard<RegistryService> shard;

  public ShardedRegistry(Shard<RegistryService> shard) {
    this.shard = shard;
  }

  @Override
  public Future<Boolean> attach(String key, String nodeId) {
    return shard.route(key, s -> s.attach(key, nodeId));
  }

  @Override
  public Future<Void> ready(String key, String nodeId) {
    return shard.route(key, s -> s.ready(key, nodeId));
  }

  @Override
  public Future<Void> detach(String key, String nodeId) {
    return shard.route(key, s -> s.detach(key, nodeId));
  }

  /** Each owner gets exactly the keys of its shard ({@link Announcements}). */
  @Override
  public Future<JsonObject> announce(String nodeId, List<String> keys) {
    return Announcements.announce(shard, keys, (s, mine) -> s.announce(nodeId, mine));
  }

  @Override
  public Future<List<String>> edgesOf(String key) {
    return shard.route(key, s -> s.edgesOf(key));
  }
}
