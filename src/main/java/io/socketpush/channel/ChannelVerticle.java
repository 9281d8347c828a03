package io.socketpush.channel;

import io.socketpush.cluster.Addresses;
import io.socketpush.cluster.KvStore;
import io.socketpush.cluster.Membership;
import io.socketpush.cluster.PagedSets;
import io.socketpush.cluster.ServiceBindings;
import io.socketpush.config.RuntimeConfig;
import io.socketpush.delivery.PresenceChangeService;
import io.socketpush.delivery.RegistryService;
import io.socketpush.stream.StreamLog;
import io.socketpush.stream.StreamStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** The channel role: binds this node's shards of ChannelService, interest (RegistryService) and PresenceChangeService. */
public final class ChannelVerticle extends VerticleBase {
  private final Membership membership;
  private final RegistryService presence;
  private final RuntimeConfig config;
  private ServiceBindings bindings;
  private Runnable ringListener = () -> { };

  private io.socketpush.events.EventSink events = io.socketpush.events.EventSink.NONE;

  /** {@code presence}: the sharded presence facade (who is online, for channel presence). */
  public ChannelVerticle(Membership membership, RegistryService presence, RuntimeConfig config) {
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
          bindings = new ServiceBindings(vertx, context, membership, config.get().cluster().localCalls())
              .bind(Addresses.CHANNEL, ChannelService.class, impl)
              .bind(Addresses.INTEREST, RegistryService.class, impl)
              .bind(Addresses.PRESENCE_CHANGE, PresenceChangeService.class, impl);
          return bindings.ready();
        });
  }

  @Override
  public Future<?> stop() {
    ringListener.run();
    return bindings == null ? Future.succeededFuture() : bindings.release();
  }
}
