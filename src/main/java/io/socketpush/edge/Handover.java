package io.socketpush.edge;

import io.socketpush.shard.Services;
import io.socketpush.stream.Position;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one ring-change handover of this edge (DESIGN "Streams"), also run periodically as anti-entropy: tells every
 * user and channel owner exactly what this edge holds ({@link #announce}), and repairs from history whatever an owner
 * stored for those streams beyond what this edge wrote. A fenced node (minority partition) closes its sockets instead.
 */
final class Handover {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeNode.class);

  private final String nodeId;
  private final Services services;
  private final SubscriptionMirror mirror;
  private final StreamGaps gaps;
  /** Closes every socket with a close code and reason. */
  private final CloseAll closeAll;

  /** Closes every socket of the edge. */
  interface CloseAll {
    void close(int code, String reason);
  }

  Handover(String nodeId, Services services, SubscriptionMirror mirror, StreamGaps gaps, CloseAll closeAll) {
    this.nodeId = nodeId;
    this.services = services;
    this.mirror = mirror;
    this.gaps = gaps;
    this.closeAll = closeAll;
  }

  /**
   * Tells the owners what this edge holds; reads from history whatever an owner stored for those streams beyond what
   * this edge wrote (published while the owner did not know this edge: a new owner acknowledges a publish once it is
   * stored, before the edges' announcements reached it).
   */
  Future<Void> announce() {
    Future<JsonObject> userTops = services.presence().announce(nodeId, mirror.userIds()).onSuccess(this::catchUp);
    Future<JsonObject> channelTops = services.interest().announce(nodeId, mirror.channelIds()).onSuccess(this::catchUp);
    return Future.join(userTops, channelTops)
        .<Void>mapEmpty()
        .onFailure(err -> LOG.debug("[{}] announce incomplete: {}", nodeId, err.getMessage()));
  }

  /**
   * The ring changed: a node in a minority partition ({@code fenced}) closes every socket so its clients go to another
   * edge; otherwise it tells the owners what it holds (owners keep what they do not own yet, for when their own ring
   * catches up) and repairs what they stored meanwhile from history ({@link #announce}).
   */
  void onRingChange() {
    if (services.membership().fenced()) {
      closeAll.close(ClientSession.CLOSE_PARTITIONED, "partitioned");
      return;
    }
    announce();
  }

  /** Repairs each stream an owner named with a top beyond what this edge wrote ({@code stream -> "epoch:offset"}). */
  void catchUp(JsonObject tops) {
    for (Map.Entry<String, Object> e : tops) {
      Position top = Position.parse(e.getValue());
      if (top != null) {
        gaps.catchUp(e.getKey(), top.epoch(), top.offset());
      }
    }
  }
}
