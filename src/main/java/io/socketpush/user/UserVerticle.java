package io.socketpush.user;

import io.socketpush.cluster.Addresses;
import io.socketpush.config.RuntimeConfig;
import io.socketpush.shard.Services;
import io.socketpush.stream.StreamLog;
import io.socketpush.stream.StreamStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceBinder;
import java.util.ArrayList;
import java.util.List;

/** The user role: binds this node's UserService and PresenceService shard. */
public final class UserVerticle extends VerticleBase {
  private final Services services;
  private final RuntimeConfig config;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();

  private io.socketpush.events.EventSink events = io.socketpush.events.EventSink.NONE;

  public UserVerticle(Services services, RuntimeConfig config) {
    this.services = services;
    this.config = config;
  }

  /** Where this shard's user.online/user.offline events go (the webhook outbox). */
  public UserVerticle events(io.socketpush.events.EventSink events) {
    this.events = events;
    return this;
  }

  @Override
  public Future<?> start() {
    String nodeId = services.membership().nodeId();
    return StreamStore.open(vertx).compose(store -> {
      UserServiceImpl impl = new UserServiceImpl(vertx, services.membership(), services.channel(), services.presence(),
          () -> config.get().edge().longValue("removeUserAfterDisconnectTimeout"),
          config.get().cluster().longValue("requestTimeout"), () -> config.get().cluster().integer("listLimit"),
          new StreamLog(store, () -> config.get().streams(), nodeId));
      impl.fanout(new io.socketpush.events.PresenceFanout(services.channel(), services.interest(),
          () -> config.get().streams(), events, nodeId));
      services.membership().onChange(impl::onRingChange);
      ServiceBinder binder = new ServiceBinder(vertx).addInterceptor(services.membership().fenceInterceptor());
      consumers.add(binder.setAddress(Addresses.service(Services.USER, nodeId)).register(UserService.class, impl));
      if (config.get().cluster().bool("localCalls")) {
        io.socketpush.shard.LocalServices.bind(vertx, Addresses.service(Services.USER, nodeId), UserService.class, impl, context,
            services.membership()::fenced, services.membership()::partitionedMessage);
      }
      consumers.add(binder.setAddress(Addresses.service(Services.PRESENCE, nodeId)).register(PresenceService.class, impl));
      if (config.get().cluster().bool("localCalls")) {
        io.socketpush.shard.LocalServices.bind(vertx, Addresses.service(Services.PRESENCE, nodeId), PresenceService.class, impl, context,
            services.membership()::fenced, services.membership()::partitionedMessage);
      }
      return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
    });
  }

  @Override
  public Future<?> stop() {
    io.socketpush.shard.LocalServices.unbind(vertx, Addresses.service(Services.USER, services.membership().nodeId()));
    io.socketpush.shard.LocalServices.unbind(vertx, Addresses.service(Services.PRESENCE, services.membership().nodeId()));
    return Future.all(consumers.stream().map(MessageConsumer::unregister).toList());
  }
}
