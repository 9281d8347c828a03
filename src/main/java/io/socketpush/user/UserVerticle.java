package io.socketpush.user;

import io.socketpush.channel.ChannelService;
import io.socketpush.cluster.Addresses;
import io.socketpush.cluster.Membership;
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

/**
 * The user role: binds this node's UserService and PresenceService shard; {@link #stop} releases the consumers, the
 * ring-change listener and the shard's offline timers.
 */
public final class UserVerticle extends VerticleBase {
  private final Membership membership;
  private final ChannelService channels;
  private final PresenceService presence;
  private final InterestService interest;
  private final RuntimeConfig config;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private Runnable ringListener = () -> { };
  private UserServiceImpl impl;

  private io.socketpush.events.EventSink events = io.socketpush.events.EventSink.NONE;

  /** The services it calls are the sharded facades (channels, presence, interest). */
  public UserVerticle(Membership membership, ChannelService channels, PresenceService presence, InterestService interest,
      RuntimeConfig config) {
    this.membership = membership;
    this.channels = channels;
    this.presence = presence;
    this.interest = interest;
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
      impl.fanout(new io.socketpush.channel.PresenceFanout(channels, interest,
          () -> config.get().streams(), events, nodeId));
      ringListener = membership.onChange(impl::onRingChange);
      ServiceBinder binder = new ServiceBinder(vertx).addInterceptor(membership.fenceInterceptor());
      consumers.add(binder.setAddress(Addresses.service(Addresses.USER, nodeId)).register(UserService.class, impl));
      consumers.add(binder.setAddress(Addresses.service(Addresses.PRESENCE, nodeId)).register(PresenceService.class, impl));
      if (config.get().cluster().localCalls()) {
        io.socketpush.cluster.LocalServices.bind(vertx, Addresses.service(Addresses.USER, nodeId), UserService.class, impl, context,
            membership::fenced, membership::partitionedMessage);
        io.socketpush.cluster.LocalServices.bind(vertx, Addresses.service(Addresses.PRESENCE, nodeId), PresenceService.class, impl, context,
            membership::fenced, membership::partitionedMessage);
      }
      return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
    });
  }

  @Override
  public Future<?> stop() {
    ringListener.run();
    if (impl != null) {
      impl.close();
    }
    io.socketpush.cluster.LocalServices.unbind(vertx, Addresses.service(Addresses.USER, membership.nodeId()));
    io.socketpush.cluster.LocalServices.unbind(vertx, Addresses.service(Addresses.PRESENCE, membership.nodeId()));
    return Future.all(consumers.stream().map(MessageConsumer::unregister).toList());
  }
}
