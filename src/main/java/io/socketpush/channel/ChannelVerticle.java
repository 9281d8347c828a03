package io.socketpush.channel;

import io.socketpush.cluster.Addresses;
import io.socketpush.cluster.KvStore;
import io.socketpush.cluster.PagedSets;
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

/** The channel role: binds this node's ChannelService and InterestService shard. */
public final class ChannelVerticle extends VerticleBase {
  /**
   * Distributed cache of the subscriptions: one entry per (channel, user) pair in each direction, see
   * {@link Subscriptions}. (Until 2026-11 two caches held one growing JSON value per channel and per user.)
   */
  public static final String SUBSCRIPTIONS_CACHE = "socketpush.subscriptions";

  private final Services services;
  private final RuntimeConfig config;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();

  private io.socketpush.events.EventSink events = io.socketpush.events.EventSink.NONE;

  public ChannelVerticle(Services services, RuntimeConfig config) {
    this.services = services;
    this.config = config;
  }

  /** Where this shard's presence events go (the webhook outbox). */
  public ChannelVerticle events(io.socketpush.events.EventSink events) {
    this.events = events;
    return this;
  }

  @Override
  public Future<?> start() {
    String nodeId = services.membership().nodeId();
    return Future.all(KvStore.open(vertx, SUBSCRIPTIONS_CACHE), StreamStore.open(vertx))
        .compose(stores -> {
          KvStore kv = stores.resultAt(0);
          ChannelServiceImpl impl = new ChannelServiceImpl(vertx, services.membership(), services.presence(),
              new Subscriptions(new PagedSets(kv)), config.get().cluster().longValue("requestTimeout"),
              () -> config.get().cluster().integer("listLimit"),
              new StreamLog(stores.resultAt(1), () -> config.get().streams(), nodeId));
          impl.presence(() -> config.get().streams(), events);
          services.membership().onChange(impl::onRingChange);
          ServiceBinder binder = new ServiceBinder(vertx).addInterceptor(services.membership().fenceInterceptor());
          consumers.add(binder.setAddress(Addresses.service(Services.CHANNEL, nodeId)).register(ChannelService.class, impl));
          if (config.get().cluster().bool("localCalls")) {
            io.socketpush.shard.LocalServices.bind(vertx, Addresses.service(Services.CHANNEL, nodeId), ChannelService.class, impl, context,
                services.membership()::fenced, services.membership()::partitionedMessage);
          }
          consumers.add(binder.setAddress(Addresses.service(Services.INTEREST, nodeId)).register(InterestService.class, impl));
          if (config.get().cluster().bool("localCalls")) {
            io.socketpush.shard.LocalServices.bind(vertx, Addresses.service(Services.INTEREST, nodeId), InterestService.class, impl, context,
                services.membership()::fenced, services.membership()::partitionedMessage);
          }
          return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
        });
  }

  @Override
  public Future<?> stop() {
    io.socketpush.shard.LocalServices.unbind(vertx, Addresses.service(Services.CHANNEL, services.membership().nodeId()));
    io.socketpush.shard.LocalServices.unbind(vertx, Addresses.service(Services.INTEREST, services.membership().nodeId()));
    return Future.all(consumers.stream().map(MessageConsumer::unregister).toList());
  }
}
