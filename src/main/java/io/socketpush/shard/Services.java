package io.socketpush.shard;

import io.socketpush.auth.AuthService;
import io.socketpush.channel.ChannelService;
import io.socketpush.cluster.Addresses;
import io.socketpush.cluster.ClusterService;
import io.socketpush.cluster.Membership;
import io.socketpush.config.ClusterConfig;
import io.socketpush.config.NodeConfig;
import io.socketpush.config.NodeConfig.Role;
import io.socketpush.delivery.PresenceChangeService;
import io.socketpush.delivery.RegistryService;
import io.socketpush.user.UserService;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.IntSupplier;

/**
 * The sharded client API of the cluster: what the edge, the management API and other JVMs call. Every
 * facade implements the same interface as the service it routes to.
 */
public final class Services {
  private final Membership membership;
  private final AuthService auth;
  private final UserService user;
  private final ChannelService channel;
  private final RegistryService presence;
  private final RegistryService interest;
  private final PresenceChangeService presenceChanges;
  private final Shard<ClusterService> cluster;

  /**
   * A member's membership and services, from its config: a server node ({@code client} false: its roles) or a
   * client-only member of another JVM ({@code client} true: no roles, never fenced, see {@code SocketPush}).
   * The membership is not started yet.
   */
  public static Services join(Vertx vertx, NodeConfig config, boolean client, IntSupplier listLimit) {
    JsonArray roles = new JsonArray();
    config.roles().forEach(r -> roles.add(r.id()));
    JsonObject self = new JsonObject().put("nodeId", config.nodeId()).put("roles", roles)
        .put("startedAt", System.currentTimeMillis());
    if (client) {
      self.put("client", true);
    }
    ClusterConfig c = config.cluster();
    Membership membership = new Membership(vertx, self, c.heartbeatInterval(), c.nodeTimeout(), c.virtualNodes());
    return new Services(vertx, membership, c.requestTimeout(), listLimit);
  }

  /** {@code listLimit}: the largest page the facades return (the runtime config's cluster.listLimit on a node). */
  public Services(Vertx vertx, Membership membership, long timeoutMs, IntSupplier listLimit) {
    this.membership = membership;
    auth = new ShardedAuthService(new Shard<>(vertx, membership, Role.AUTH, Addresses.AUTH, AuthService::createProxy, timeoutMs));
    user = new ShardedUserService(new Shard<>(vertx, membership, Role.USER, Addresses.USER, UserService::createProxy, timeoutMs), listLimit);
    channel = new ShardedChannelService(new Shard<>(vertx, membership, Role.CHANNEL, Addresses.CHANNEL, ChannelService::createProxy, timeoutMs));
    presence = new ShardedRegistry(new Shard<>(vertx, membership, Role.USER, Addresses.PRESENCE, RegistryService::createProxy, timeoutMs));
    interest = new ShardedRegistry(new Shard<>(vertx, membership, Role.CHANNEL, Addresses.INTEREST, RegistryService::createProxy, timeoutMs));
    Shard<PresenceChangeService> changes = new Shard<>(vertx, membership, Role.CHANNEL, Addresses.PRESENCE_CHANGE,
        PresenceChangeService::createProxy, timeoutMs);
    presenceChanges = (channelId, userId, change) -> changes.route(channelId, s -> s.presenceChanged(channelId, userId, change));
    cluster = new Shard<>(vertx, membership, Role.MANAGEMENT, Addresses.CLUSTER, ClusterService::createProxy, timeoutMs);
  }

  public AuthService auth() {
    return auth;
  }

  public UserService user() {
    return user;
  }

  public ChannelService channel() {
    return channel;
  }

  /** Which edges hold a user's sockets (the user owners' registry). */
  public RegistryService presence() {
    return presence;
  }

  /** Which edges hold a channel's local subscribers (the channel owners' registry). */
  public RegistryService interest() {
    return interest;
  }

  /** A user's presence in a channel changed: routed to the channel's owner. */
  public PresenceChangeService presenceChanges() {
    return presenceChanges;
  }

  /** The cluster service of one node; every node binds one. */
  public ClusterService cluster(String nodeId) {
    return cluster.on(nodeId == null || nodeId.isEmpty() ? membership.nodeId() : nodeId);
  }

  public Membership membership() {
    return membership;
  }
}
