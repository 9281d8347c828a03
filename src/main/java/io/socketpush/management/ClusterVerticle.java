package io.socketpush.management;

import io.socketpush.cluster.Addresses;
import io.socketpush.cluster.ClusterService;
import io.socketpush.config.RuntimeConfig;
import io.socketpush.management.ClusterServiceImpl;
import io.socketpush.shard.Services;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceBinder;

/** Every node runs this: binds its ClusterService and applies runtime config changes. */
public final class ClusterVerticle extends VerticleBase {
  private final Services services;
  private final RuntimeConfig config;
  private MessageConsumer<JsonObject> service;
  private MessageConsumer<JsonObject> changes;

  public ClusterVerticle(Services services, RuntimeConfig config) {
    this.services = services;
    this.config = config;
  }

  @Override
  public Future<?> start() {
    return vertx.sharedData().<String, String>getAsyncMap(Addresses.CONFIG_MAP).compose(map -> {
      ClusterServiceImpl impl = new ClusterServiceImpl(vertx, services, config, map);
      changes = vertx.eventBus().consumer(Addresses.CONFIG_CHANGED, m -> impl.apply(m.body()));
      service = new ServiceBinder(vertx).setAddress(Addresses.service(Addresses.CLUSTER, services.membership().nodeId()))
          .register(ClusterService.class, impl);
      return Future.all(changes.completion(), service.completion()).compose(v -> impl.loadStored());
    });
  }

  @Override
  public Future<?> stop() {
    return Future.all(service.unregister(), changes.unregister());
  }
}
