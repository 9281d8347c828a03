package io.socketpush.cluster;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceBinder;
import java.util.ArrayList;
import java.util.List;

/**
 * The service shards one role verticle binds on this node: each at {@code socketpush.<service>.<nodeId>} on the
 * event bus behind the membership's fence interceptor and, with {@code cluster.localCalls}, in
 * {@link LocalServices} too. {@link #release} undoes every binding (the verticle's {@code stop()}).
 */
public final class ServiceBindings {
  private final Vertx vertx;
  private final Context context;
  private final Membership membership;
  private final boolean localCalls;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private final List<String> addresses = new ArrayList<>();

  /** {@code localCalls}: whether this node's own calls reach these shards without the event bus. */
  public ServiceBindings(Vertx vertx, Context context, Membership membership, boolean localCalls) {
    this.vertx = vertx;
    this.context = context;
    this.membership = membership;
    this.localCalls = localCalls;
  }

  /** Binds {@code impl} as this node's shard of {@code service} (a name of {@link Addresses}). */
  public <S> ServiceBindings bind(String service, Class<S> iface, S impl) {
    String address = Addresses.service(service, membership.nodeId());
    consumers.add(new ServiceBinder(vertx).addInterceptor(membership.fenceInterceptor()).setAddress(address)
        .register(iface, impl));
    if (localCalls) {
      LocalServices.bind(vertx, address, iface, impl, context, membership::fenced, membership::partitionedMessage);
    }
    addresses.add(address);
    return this;
  }

  /** Completes when every consumer is registered cluster-wide. */
  public Future<Void> ready() {
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
  }

  /** Unbinds every shard bound here (local calls first, so nothing is called locally after this). */
  public Future<Void> release() {
    addresses.forEach(a -> LocalServices.unbind(vertx, a));
    addresses.clear();
    Future<Void> all = Future.all(consumers.stream().map(MessageConsumer::unregister).toList()).mapEmpty();
    consumers.clear();
    return all;
  }
}
