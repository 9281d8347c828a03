package io.socketpush.channel;

import io.socketpush.channel.ChannelService;
import io.socketpush.delivery.PresenceChangeService;
import io.socketpush.cluster.Addresses;
import io.socketpush.config.StreamRules;
import io.socketpush.events.EventSink;
import io.socketpush.message.Pages;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a user's owner does when the user comes online (its first socket anywhere, not a reconnect within the
 * grace) or goes offline (its last socket gone plus the grace): the {@code user.online}/{@code user.offline}
 * event, then a join/leave at the owner of every channel the user is subscribed to whose {@code streams.rules}
 * entry has {@code "presence": true} (of every channel it is subscribed to when occupied/vacated are wanted). Runs before the offline user is unsubscribed from everything.
 */
public final class PresenceFanout {
  private static final Logger LOG = LoggerFactory.getLogger(PresenceFanout.class);
  public static final String JOIN = "join";
  public static final String LEAVE = "leave";

  /** Does nothing (unit tests of the user service). */
  public static final PresenceFanout NONE = new PresenceFanout(null, null, null, EventSink.NONE, "-");

  private final ChannelService channels;
  private final PresenceChangeService interest;
  private final Supplier<StreamRules> rules;
  private final EventSink sink;
  private final String nodeId;

  public PresenceFanout(ChannelService channels, PresenceChangeService interest, Supplier<StreamRules> rules, EventSink sink,
      String nodeId) {
    this.channels = channels;
    this.interest = interest;
    this.rules = rules;
    this.sink = sink;
    this.nodeId = nodeId;
  }

  /** Whether online/offline matter at all: webhooks are configured or some channel has presence. */
  public boolean active() {
    return channels != null && (sink != EventSink.NONE || rules.get().anyPresence());
  }

  /**
   * Whether the channels' present sets are kept for occupied/vacated: some webhook wants one of them. Then every
   * online/offline tells the owner of each of the user's channels (one call per subscribed channel).
   */
  public static boolean occupancy(EventSink sink) {
    return sink.wants(EventSink.CHANNEL_OCCUPIED) || sink.wants(EventSink.CHANNEL_VACATED);
  }

  /** The user came online. Never fails (logs). */
  public Future<Void> online(String userId) {
    return change(userId, EventSink.USER_ONLINE, JOIN);
  }

  /** The user went offline. Never fails (logs). */
  public Future<Void> offline(String userId) {
    return change(userId, EventSink.USER_OFFLINE, LEAVE);
  }

  private Future<Void> change(String userId, String type, String presence) {
    if (channels == null) {
      return Future.succeededFuture();
    }
    Future<Void> emitted = sink.emit(type, EventSink.userKey(userId), new JsonObject().put("userId", userId));
    boolean occupancy = occupancy(sink);
    if (!occupancy && !rules.get().anyPresence()) {
      // no channel has presence and no webhook wants occupied/vacated: the user's subscriptions are not read (no
      // cost on connect/disconnect)
      return emitted.otherwise(err -> null);
    }
    return emitted.otherwiseEmpty() // an event the outbox did not take (logged there) does not stop the frames
        .compose(v -> Pages.all(cursor -> channels.getSubscriptions(userId, 0, cursor)))
        .compose(subscribed -> {
          List<Future<Void>> calls = new ArrayList<>();
          StreamRules r = rules.get();
          for (String c : subscribed) {
            if (occupancy || r.forStream(Addresses.clientChannel(c)).presence()) {
              calls.add(interest.presenceChanged(c, userId, presence));
            }
          }
          return Future.join(calls).<Void>mapEmpty();
        })
        .otherwise(err -> {
          LOG.warn("[{}] {} of user {}: events incomplete: {}", nodeId, type, userId, err.getMessage());
          return null;
        });
  }
}
