package io.socketpush.auth;

import io.socketpush.cluster.Addresses;
import io.socketpush.cluster.DistributedSets;
import io.socketpush.cluster.Membership;
import io.socketpush.config.NodeConfig.Role;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceBinder;

/** The auth role: binds this node's AuthService shard. */
public final class AuthVerticle extends VerticleBase {

  private final Membership membership;
  private MessageConsumer<JsonObject> consumer;

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
      consumer = new ServiceBinder(vertx).addInterceptor(membership.fenceInterceptor()).setAddress(Addresses.service(Addresses.AUTH, membership.nodeId()))
          .register(AuthService.class, impl);
      if (localCalls) {
        io.socketpush.cluster.LocalServices.bind(vertx, Addresses.service(Addresses.AUTH, membership.nodeId()), AuthService.class, impl,
            context, membership::fenced, membership::partitionedMessage);
      }
      return consumer.completion();
    });
  }

  @Override
  public Future<?> stop() {
    io.socketpush.cluster.LocalServices.unbind(vertx, Addresses.service(Addresses.AUTH, membership.nodeId()));
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }
}
