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

  public AuthVerticle(Membership membership) {
    this.membership = membership;
  }

  @Override
  public Future<?> start() {
    return DistributedSets.open(vertx, Addresses.SESSIONS_MAP).compose(sessions -> {
      AuthService impl = new AuthServiceImpl(membership.nodeId(), () -> membership.ring(Role.AUTH), sessions);
      consumer = new ServiceBinder(vertx).addInterceptor(membership.fenceInterceptor()).setAddress(Addresses.service(Addresses.AUTH, membership.nodeId()))
          .register(AuthService.class, impl);
      return consumer.completion();
    });
  }

  @Override
  public Future<?> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }
}
