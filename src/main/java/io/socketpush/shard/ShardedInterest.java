package io.socketpush.shard;

import io.socketpush.delivery.InterestService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Internal channel-interest calls of edges, routed to the owner of each channelId. */
public final class ShardedInterest implements InterestService {
  private final Shard<InterestService> shard;

  public ShardedInterest(Shard<InterestService> shard) {
    this.shard = shard;
  }

  @Override
  public Future<Void> addInterest(String channelId, String nodeId) {
    return shard.route(channelId, s -> s.addInterest(channelId, nodeId));
  }

  @Override
  public Future<Void> removeInterest(String channelId, String nodeId) {
    return shard.route(channelId, s -> s.removeInterest(channelId, nodeId));
  }

  /** Each owner gets exactly the channels of its shard ({@link Announcements}). */
  @Override
  public Future<JsonObject> announce(String nodeId, List<String> channelIds) {
    return Announcements.announce(shard, channelIds, (s, mine) -> s.announce(nodeId, mine));
  }

  @Override
  public Future<Void> presenceChanged(String channelId, String userId, String change) {
    return shard.route(channelId, s -> s.presenceChanged(channelId, userId, change));
  }
}
