package io.socketpush.shard;

import io.socketpush.auth.AuthService;
import io.socketpush.channel.ChannelService;
import io.socketpush.delivery.InterestService;
import io.socketpush.cluster.Addresses;
import io.socketpush.cluster.ClusterService;
import io.socketpush.cluster.Membership;
import io.socketpush.config.NodeConfig.Role;
import io.socketpush.delivery.PresenceService;
import io.socketpush.user.UserService;
import io.vertx.core.Vertx;
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
  private final PresenceService presence;
  private final InterestService interest;
  private final Shard<ClusterService> cluster;

  /** {@code listLimit}: the largest page the facades return (the runtime config's cluster.listLimit on a node). */
  public Services(Vertx vertx, Membership membership, long timeoutMs, IntSupplier listLimit) {
    this.membership = membership;
    auth = new ShardedAuthService(new Shard<>(vertx, membership, Role.AUTH, Addresses.AUTH, AuthService::createProxy, timeoutMs));
    user = new ShardedUserService(new Shard<>(vertx, membership, Role.USER, Addresses.USER, UserService::createProxy, timeoutMs), listLimit);
    channel = new ShardedChannelService(new Shard<>(vertx, membership, Role.CHANNEL, Addresses.CHANNEL, ChannelService::createProxy, timeoutMs));
    presence = new ShardedPresence(new Shard<>(vertx, membership, Role.USER, Addresses.PRESENCE, PresenceService::createProxy, timeoutMs));
    interest = new ShardedInterest(new Shard<>(vertx, membership, Role.CHANNEL, Addresses.INTEREST, InterestService::createProxy, timeoutMs));
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

  public PresenceService presence() {
    return presence;
  }

  public InterestService interest() {
    return interest;
  }

  /** The cluster service of one node; every node binds one. */
  public ClusterService cluster(String nodeId) {
    return cluster.on(nodeId == null || nodeId.isEmpty() ? membership.nodeId() : nodeId);
  }

  public Membership membership() {
    return membership;
  }
}
