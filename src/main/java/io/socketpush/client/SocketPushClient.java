package io.socketpush.client;

import io.socketpush.auth.AuthService;
import io.socketpush.channel.ChannelService;
import io.socketpush.cluster.ClusterService;
import io.socketpush.shard.Services;
import io.socketpush.user.UserService;
import io.vertx.core.Future;
import java.util.Set;
import java.util.TreeSet;

/**
 * A connected client-only member of a socket-push cluster: the sharded services, routed by key to their
 * owners. Close it to leave the cluster's membership (the Vert.x instance stays yours).
 */
public final class SocketPushClient {
  private final Services services;

  SocketPushClient(Services services) {
    this.services = services;
  }

  /** Sessions, sharded by userId. */
  public AuthService auth() {
    return services.auth();
  }

  /** Subscriptions and channel publish, sharded by channelId. */
  public ChannelService channel() {
    return services.channel();
  }

  /** User publish and presence, sharded by userId. */
  public UserService user() {
    return services.user();
  }

  /** The cluster service of one server node (null or empty: any node with the management role). */
  public ClusterService cluster(String nodeId) {
    if (nodeId == null || nodeId.isEmpty()) {
      return services.cluster(services.membership().nodes().keySet().stream()
          .filter(id -> !id.equals(services.membership().nodeId())
              && !services.membership().nodes().get(id).getJsonArray("roles").isEmpty())
          .findFirst().orElse(services.membership().nodeId()));
    }
    return services.cluster(nodeId);
  }

  /** Ids of the server nodes (members with at least one role) this client sees. */
  public Set<String> serverNodes() {
    Set<String> out = new TreeSet<>();
    services.membership().nodes().forEach((id, d) -> {
      if (!d.getJsonArray("roles").isEmpty()) {
        out.add(id);
      }
    });
    return out;
  }

  /** This client's member id. */
  public String clientId() {
    return services.membership().nodeId();
  }

  /** Leaves the membership. */
  public Future<Void> close() {
    return services.membership().leave();
  }
}
