package io.socketpush.user;

import io.socketpush.channel.ChannelService;
import io.socketpush.cluster.Addresses;
import io.socketpush.cluster.Membership;
import io.socketpush.cluster.ServiceBindings;
import io.socketpush.config.RuntimeConfig;
import io.socketpush.delivery.PresenceChangeService;
import io.socketpush.delivery.RegistryService;
import io.socketpush.stream.StreamLog;
import io.socketpush.stream.StreamStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * The user role: binds this node's shards of UserService and presence (RegistryService); {@link #stop} releases the consumers, the
 * ring-change listener and the shard's offline timers.
 */
public final class UserVerticle extends VerticleBase {
  private final Membership membership;
  private final ChannelService channels;
  private final RegistryService presence;
  private final PresenceChangeService presenceChanges;
  private final RuntimeConfig config;
  private ServiceBindings bindings;
  private Runnable ringListener = () -> { };
  private UserServiceImpl impl;

  private io.socketpush.events.EventSink events = io.socketpush.events.EventSink.NONE;

  /** The services it calls are the sharded facades (channels, presence, presence changes). */
  public UserVerticle(Membership membership, ChannelService channels, RegistryService presence, PresenceChangeService presenceChanges,
      RuntimeConfig config) {
    this.membership = membership;
    this.channels = channels;
    this.presence = presence;
    this.presenceChanges = presenceChanges;
    this.config = config;
  }

  /** Where this shard's user.online/user.offline events go (the webhook outbox). */
  public UserVerticle events(io.socketpush.events.EventSink events) {
    this.events = events;
    return this;
  }

  @Override
  public Future<?> start() {
    String nodeId = membership.nodeId();
    return StreamStore.open(vertx).compose(store -> {
      impl = new UserServiceImpl(vertx, membership, channels, presence,
          () -> config.get().edge().removeUserAfterDisconnectTimeout(),
          config.get().cluster().requestTimeout(), () -> config.get().cluster().listLimit(),
          new StreamLog(store, () -> config.get().streams(), nodeId));
      impl.fanout(new io.socketpush.channel.PresenceFanout(channels, presenceChanges,
          () -> config.get().streams(), events, nodeId));
      ringListener = membership.onChange(impl::onRingChange);
      bindings = new ServiceBindings(vertx, context, membership, config.get().cluster().localCalls())
          .bind(Addresses.USER, UserService.class, impl)
          .bind(Addresses.PRESENCE, RegistryService.class, impl);
      return bindings.ready();
    });
  }

  @Override
  public Future<?> stop() {
    ringListener.run();
    if (impl != null) {
      impl.close();
    }
    return bindings == null ? Future.succeededFuture() : bindings.release();
  }
}
