package io.socketpush.client;

import io.socketpush.config.NodeConfig;
import io.socketpush.shard.Services;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * Entry point for other JVMs: with a clustered Vert.x (the same cluster config as the servers), joins the
 * socket-push cluster as a client-only member (no roles: it owns no shard and opens no port) and returns
 * the same sharded {@code AuthService}, {@code ChannelService} and {@code UserService} the servers use
 * internally. Each call goes straight to the owner of its key over the event bus.
 *
 * <pre>{@code
 * Vertx.builder().withClusterManager(new InfinispanClusterManager()).buildClustered()
 *     .compose(SocketPush::connect)
 *     .compose(sp -> sp.user().publish("1", PushMessage.of("hello"), null));
 * }</pre>
 */
public final class SocketPush {
  private SocketPush() {
  }

  /** Joins with defaults (a random client id, the default timeouts and ring layout). */
  public static Future<SocketPushClient> connect(Vertx vertx) {
    return connect(vertx, new JsonObject());
  }

  /**
   * Joins with options of the servers' {@code cluster} config section (requestTimeout, heartbeatInterval,
   * nodeTimeout, virtualNodes, listLimit) plus an optional {@code clientId}. {@code virtualNodes} must match
   * the servers' (default 128). Fails with an IllegalArgumentException naming a bad option.
   */
  public static Future<SocketPushClient> connect(Vertx vertx, JsonObject options) {
    JsonObject cluster = options == null ? new JsonObject() : options.copy();
    Object id = cluster.remove("clientId");
    NodeConfig config;
    try {
      config = NodeConfig.from(new JsonObject().put("nodeId", id != null ? id : "client-" + UUID.randomUUID().toString().substring(0, 8))
          .put("roles", new JsonArray()).put("cluster", cluster));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    int listLimit = config.cluster().listLimit();
    Services services = Services.join(vertx, config, true, () -> listLimit);
    // start on a context of our own, so membership state stays on one event loop whoever calls us
    return Future.<Void>future(p -> vertx.getOrCreateContext().runOnContext(v -> services.membership().start().onComplete(p)))
        .map(v -> new SocketPushClient(services));
  }
}
