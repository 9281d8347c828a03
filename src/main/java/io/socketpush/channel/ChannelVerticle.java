package io.socketpush.channel;

import io.socketpush.cluster.Addresses;
import io.socketpush.cluster.KvStore;
import io.socketpush.cluster.Membership;
import io.socketpush.cluster.PagedSets;
import io.socketpush.config.RuntimeConfig;
import io.socketpush.delivery.InterestService;
import io.socketpush.delivery.PresenceService;
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
  private final Membership membership;
  private final PresenceService presence;
  private final RuntimeConfig config;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private Runnable ringListener = () -> { };

  private io.socketpush.events.EventSink events = io.socketpush.events.EventSink.NONE;

  /** {@code presence}: the sharded presence facade (who is online, for channel presence). */
  public ChannelVerticle(Membership membership, PresenceService presence, RuntimeConfig config) {
    this.membership = membership;
    this.presence = presence;
    this.config = config;
  }

  /** Where this shard's presence events go (the webhook outbox). */
  public ChannelVerticle events(io.socketpush.events.EventSink events) {
    this.events = events;
    return this;
  }

  @Override
  public Future<?> start() {
    String nodeId = membership.nodeId();
    return Future.all(KvStore.open(vertx, Addresses.SUBSCRIPTIONS_MAP), StreamStore.open(vertx))
        .compose(stores -> {
          KvStore kv = stores.resultAt(0);
          ChannelServiceImpl impl = new ChannelServiceImpl(vertx, membership, presence,
              new Subscriptions(new PagedSets(kv)), config.get().cluster().requestTimeout(),
              () -> config.get().cluster().listLimit(),
              new StreamLog(stores.resultAt(1), () -> config.get().streams(), nodeId));
          impl.presence(() -> config.get().streams(), events);
          ringListener = membership.onChange(impl::onRingChange);
          ServiceBinder binder = new ServiceBinder(vertx).addInterceptor(membership.fenceInterceptor());
          consumers.add(binder.setAddress(Addresses.service(Addresses.CHANNEL, nodeId)).register(ChannelService.class, impl));
          consumers.add(binder.setAddress(Addresses.service(Addresses.INTEREST, nodeId)).register(InterestService.class, impl));
          if (config.get().cluster().localCalls()) {
            io.socketpush.cluster.LocalServices.bind(vertx, Addresses.service(Addresses.CHANNEL, nodeId), ChannelService.class, impl, context,
                membership::fenced, membership::partitionedMessage);
            io.socketpush.cluster.LocalServices.bind(vertx, Addresses.service(Addresses.INTEREST, nodeId), InterestService.class, impl, context,
                membership::fenced, membership::partitionedMessage);
          }
          return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
        });
  }

  @Override
  public Future<?> stop() {
    ringListener.run();
    io.socketpush.cluster.LocalServices.unbind(vertx, Addresses.service(Addresses.CHANNEL, membership.nodeId()));
    io.socketpush.cluster.LocalServices.unbind(vertx, Addresses.service(Addresses.INTEREST, membership.nodeId()));
    return Future.all(consumers.stream().map(MessageConsumer::unregister).toList());
  }
}
