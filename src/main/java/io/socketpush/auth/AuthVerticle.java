package io.socketpush.auth;

import io.socketpush.cluster.Addresses;
import io.socketpush.cluster.DistributedSets;
import io.socketpush.cluster.Membership;
import io.socketpush.cluster.ServiceBindings;
import io.socketpush.config.NodeConfig.Role;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** The auth role: binds this node's AuthService shard. */
public final class AuthVerticle extends VerticleBase {

  private final Membership membership;
  private ServiceBindings bindings;

  private final boolean localCalls;

  /** {@code localCalls}: cluster.localCalls, this shard is also called without the event bus from this node. */
  public AuthVerticle(Membership membership, boolean localCalls) {
    this.membership = membership;
    this.localCalls = localCalls;
  }

  @Override
  public Future<?> start() {
    return DistributedSets.open(vertx, Addresses.SESSIONS_MAP).compose(sessions -> {
      AuthService impl = new AuthServiceImpl(membership.nodeId(), () -> membership.ring(Role.AUTH), sessions);
      bindings = new ServiceBindings(vertx, context, membership, localCalls).bind(Addresses.AUTH, AuthService.class, impl);
      return bindings.ready();
    });
  }

  @Override
  public Future<?> stop() {
    return bindings == null ? Future.succeededFuture() : bindings.release();
  }
}
