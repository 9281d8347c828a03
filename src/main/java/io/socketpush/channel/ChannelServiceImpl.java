package io.socketpush.channel;

import io.socketpush.cluster.Addresses;
import io.socketpush.cluster.Membership;
import io.socketpush.config.NodeConfig.Role;
import io.socketpush.delivery.EdgeOps;
import io.socketpush.delivery.EdgeRegistry;
import io.socketpush.error.Failure;
import io.socketpush.error.Validate;
import io.socketpush.events.EventSink;
import io.socketpush.cluster.PagedSets;
import io.socketpush.message.Page;
import io.socketpush.message.PushMessage;
import io.socketpush.message.Pages;
import io.socketpush.stream.PublishResult;
import io.socketpush.stream.StreamLog;
import io.socketpush.delivery.PresenceChangeService;
import io.socketpush.delivery.RegistryService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard of ChannelService, of the channels' RegistryService (interest) and of PresenceChangeService. Subscriptions are hard state in the distributed data
 * (by channel and by user); which edge nodes hold local subscribers of each owned channel is soft state in
 * memory, confined to this verticle's event loop. A publish sends one message per interested edge.
 */
final class ChannelServiceImpl implements ChannelService, RegistryService, PresenceChangeService {
  private static final Logger LOG = LoggerFactory.getLogger(ChannelServiceImpl.class);

  private final Vertx vertx;
  private Set<String> ringMembers = Set.of();
  private final Membership membership;
  private final RegistryService presence;
  private final Subscriptions subscriptions;
  private final long timeoutMs;
  private final IntSupplier listLimit;
  /** Which edges hold local subscribers of each channel. */
  private final EdgeRegistry interest = EdgeRegistry.unordered();
  /** The last queued present-set change of each channel (see {@link #inOrder}). */
  private final Map<String, Future<?>> presenceTails = new HashMap<>();
  private final StreamLog streams;
  private java.util.function.Supplier<io.socketpush.config.StreamRules> rules = io.socketpush.config.StreamRules::defaults;
  private io.socketpush.events.EventSink events = io.socketpush.events.EventSink.NONE;

  ChannelServiceImpl(Vertx vertx, Membership membership, RegistryService presence, Subscriptions subscriptions,
      long timeoutMs, IntSupplier listLimit, StreamLog streams) {
    this.vertx = vertx;
    this.streams = streams;
    this.membership = membership;
    this.presence = presence;
    this.subscriptions = subscriptions;
    this.timeoutMs = timeoutMs;
    this.listLimit = listLimit;
  }

  /** Presence rules (streams.rules) and where presence events go. */
  void presence(java.util.function.Supplier<io.socketpush.config.StreamRules> rules, io.socketpush.events.EventSink events) {
    this.rules = rules;
    this.events = events;
  }

  @Override
  public Future<Void> subscribe(String userId, String channelId) {
    Future<Void> bad = guard(channelId, Validate.ids("userId", userId));
    if (bad != null) {
      return bad;
    }
    return subscriptions.subscribe(userId, channelId)
        .compose(v -> tellEdges(userId, channelId, EdgeOps.SUBSCRIBED));
  }

  @Override
  public Future<Void> unsubscribe(String userId, String channelId) {
    Future<Void> bad = guard(channelId, Validate.ids("userId", userId));
    if (bad != null) {
      return bad;
    }
    return subscriptions.unsubscribe(userId, channelId)
        .compose(v -> tellEdges(userId, channelId, EdgeOps.UNSUBSCRIBED));
  }

  /** Tells the edges holding the user's sockets, so the change takes effect on open sockets at once. */
  private Future<Void> tellEdges(String userId, String channelId, String op) {
    return presence.edgesOf(userId)
        .recover(err -> {
          LOG.warn("[{}] presence of {} unavailable, open sockets learn of {} {} at re-announce: {}",
              membership.nodeId(), userId, op, channelId, err.getMessage());
          return Future.succeededFuture(List.of());
        })
        .compose(edges -> {
          List<Future<Integer>> calls = new ArrayList<>();
          for (String edge : edges) {
            if (EdgeOps.SUBSCRIBED.equals(op)) {
              interest.add(channelId, edge);
            }
            JsonObject body = new JsonObject().put("userId", userId).put("channelId", channelId);
            calls.add(EdgeOps.control(vertx, edge, op, body, timeoutMs));
          }
          Future<Void> told = Future.join(calls).otherwiseEmpty().mapEmpty();
          if (EdgeOps.SUBSCRIBED.equals(op)) {
            // a connected user joins the channel's presence (once: a second subscribe finds it present already)
            return edges.isEmpty() ? told : told.compose(v -> presenceChanged(channelId, userId, PresenceFanout.JOIN));
          }
          // leaves whether connected or inside its grace (no edge known): its offline fan-out reads its
          // subscriptions, which no longer hold this channel, so this is the leave that clears it from the
          // channel's present set. A user not present (already left) gives no event.
          return told.compose(v -> presenceChanged(channelId, userId, PresenceFanout.LEAVE));
        });
  }

  /**
   * Not a shard operation: the sharded facade (ShardedChannelService, which every caller uses) pages the user's
   * subscriptions and unsubscribes each at its channel's owner. A direct call on a shard's address is refused.
   */
  @Override
  public Future<Void> unsubscribeAll(String userId) {
    return Failure.BAD_REQUEST.fail("unsubscribeAll goes through the sharded channel service, not one shard");
  }

  @Override
  public Future<Page> getSubscriptions(String userId, int limit, String cursor) {
    Future<Page> bad = Validate.ids("userId", userId);
    if (bad == null) {
      bad = Pages.checkLimit(limit);
    }
    return bad != null ? bad : subscriptions.subscriptions(userId, cursor, Pages.limit(limit, listLimit.getAsInt()));
  }

  @Override
  public Future<Page> getSubscribers(String channelId, int limit, String cursor) {
    Future<Page> bad = Validate.ids("channelId", channelId);
    if (bad == null) {
      bad = Pages.checkLimit(limit);
    }
    return bad != null ? bad : subscriptions.subscribers(channelId, cursor, Pages.limit(limit, listLimit.getAsInt()));
  }

  @Override
  public Future<PublishResult> publish(String channelId, PushMessage message, String idempotencyKey) {
    catchUpWithRing();
    Future<PublishResult> bad = guard(channelId, Validate.message(message));
    if (bad == null) {
      bad = StreamLog.validKey(idempotencyKey);
    }
    if (bad != null) {
      return bad;
    }
    String stream = Addresses.clientChannel(channelId);
    // stored in the channel's stream first (2 owners), then delivered: the edges see the position in the frame;
    // a retry of a publish already in the stream gets its first position and is sent again under it: the first
    // attempt may have stopped between storing and delivering, and edges drop positions they already wrote, so
    // no socket gets it twice
    return streams.appendOnce(stream, message.value(), idempotencyKey).compose(appended -> {
      io.socketpush.stream.Position pos = appended.position();
      // after a ring change the edges we do not know yet read this from history when their announcement reaches
      // us (announce answers the stream's top): stored is acknowledged, the delivery follows
      Set<String> edges = interest.edgesOf(channelId);
      if (edges.isEmpty()) {
        return Future.succeededFuture(new PublishResult(0, pos.epoch(), pos.offset()));
      }
      Buffer frame = EdgeOps.recFrame(stream, message.value(), pos);
      return EdgeOps.deliverAll(vertx, edges, EdgeOps.DELIVER_CHANNEL, channelId, frame, pos, timeoutMs)
          .map(reached -> new PublishResult(reached, pos.epoch(), pos.offset()));
    });
  }

  @Override
  public Future<Page> listAll(int limit, String cursor) {
    return Pages.sized(limit, listLimit.getAsInt(), n -> subscriptions.channels(cursor, n));
  }

  @Override
  public Future<JsonObject> history(String channelId, String since, int limit) {
    Future<JsonObject> bad = guard(channelId, null);
    return bad != null ? bad : streams.history(Addresses.clientChannel(channelId), since, limit);
  }

  @Override
  public Future<JsonObject> presence(String channelId, String cursor, int limit) {
    Future<JsonObject> bad = guard(channelId, Pages.checkLimit(limit));
    if (bad != null) {
      return bad;
    }
    int n = Pages.limit(limit, listLimit.getAsInt());
    JsonObject q = new JsonObject().put("channelId", channelId).put("after", cursor).put("limit", n);
    return askEdges(channelId, q).map(answers -> PresencePage.merge(answers, n));
  }

  @Override
  public Future<JsonObject> presenceStats(String channelId) {
    Future<JsonObject> bad = guard(channelId, null);
    if (bad != null) {
      return bad;
    }
    JsonObject q = new JsonObject().put("channelId", channelId).put("limit", 0).put("ids", true);
    return askEdges(channelId, q).map(PresencePage::stats);
  }

  /**
   * Sends a presence query to every edge node (O(nodes): not only those this owner knows hold subscribers, whose
   * list is incomplete for a moment after a ring change, until the edges' announcements arrive); fails
   * UNAVAILABLE when one does not answer.
   */
  private Future<List<JsonObject>> askEdges(String channelId, JsonObject q) {
    List<String> order = new ArrayList<>(membership.ring(Role.EDGE).members());
    List<Future<JsonObject>> asks = new ArrayList<>();
    for (String edge : order) {
      asks.add(EdgeOps.control(vertx, edge, EdgeOps.PRESENCE, q, timeoutMs));
    }
    return Future.join(asks).transform(ar -> {
      List<JsonObject> answers = new ArrayList<>();
      List<String> missed = new ArrayList<>();
      for (int i = 0; i < asks.size(); i++) {
        if (asks.get(i).succeeded()) {
          answers.add(asks.get(i).result());
        } else {
          missed.add(order.get(i));
        }
      }
      if (!missed.isEmpty()) {
        return Failure.UNAVAILABLE.fail("presence of channel " + channelId + ": edge node(s) " + missed + " did not answer");
      }
      return Future.succeededFuture(answers);
    });
  }

  // ---- RegistryService: interest (internal) ----

  @Override
  public Future<Boolean> attach(String channelId, String nodeId) {
    Future<Boolean> bad = guard(channelId, null);
    if (bad != null) {
      return bad;
    }
    interest.add(channelId, nodeId);
    return Future.succeededFuture(false);
  }

  /** Interest holds nothing back: nothing to release. */
  @Override
  public Future<Void> ready(String channelId, String nodeId) {
    Future<Void> bad = guard(channelId, null);
    return bad != null ? bad : Future.succeededFuture();
  }

  @Override
  public Future<Void> detach(String channelId, String nodeId) {
    Future<Void> bad = guard(channelId, null);
    if (bad != null) {
      return bad;
    }
    interest.remove(channelId, nodeId);
    return Future.succeededFuture();
  }

  @Override
  public Future<JsonObject> announce(String nodeId, List<String> channelIds) {
    // kept even for channels this shard does not own yet (see EdgeRegistry#announce)
    interest.announce(nodeId, new HashSet<>(channelIds));
    return Future.succeededFuture(streams.tops(channelIds, Addresses::clientChannel));
  }

  @Override
  public Future<List<String>> edgesOf(String channelId) {
    Future<List<String>> bad = guard(channelId, null);
    return bad != null ? bad : Future.succeededFuture(new ArrayList<>(interest.edgesOf(channelId)));
  }

  // ---- PresenceChangeService (internal) ----

  @Override
  public Future<Void> presenceChanged(String channelId, String userId, String change) {
    Future<Void> bad = guard(channelId, Validate.ids("userId", userId));
    if (bad == null && !PresenceFanout.JOIN.equals(change) && !PresenceFanout.LEAVE.equals(change)) {
      bad = Failure.BAD_REQUEST.fail("change must be join or leave");
    }
    if (bad != null) {
      return bad;
    }
    String stream = Addresses.clientChannel(channelId);
    boolean frames = rules.get().forStream(stream).presence();
    boolean occupancy = PresenceFanout.occupancy(events);
    if (!frames && !occupancy) {
      return Future.succeededFuture();
    }
    boolean join = PresenceFanout.JOIN.equals(change);
    Future<PagedSets.Change> changed;
    if (occupancy) {
      // one change at a time per channel on this owner: each 0->1 / 1->0 of the present set is seen by exactly one
      // change, and its occupied/vacated is emitted in order with the joins/leaves around it
      changed = inOrder(channelId, () -> join ? subscriptions.join(userId, channelId) : subscriptions.leave(userId, channelId));
    } else {
      changed = join ? subscriptions.join(userId, channelId) : subscriptions.leave(userId, channelId);
    }
    // the emits are called when the change completes (before the channel's next change starts): the outbox stores
    // a key's events in the order of these calls
    return changed.compose(ch -> ch.changed() ? tell(channelId, userId, join, ch.count(), frames) : Future.succeededFuture());
  }

  /** Emits the events of one presence change of a channel and sends its join/leave frame. */
  private Future<Void> tell(String channelId, String userId, boolean join, long count, boolean frames) {
    String key = EventSink.channelKey(channelId);
    List<Future<Void>> emitted = new ArrayList<>();
    if (join && count == 1 && events.wants(EventSink.CHANNEL_OCCUPIED)) {
      emitted.add(events.emit(EventSink.CHANNEL_OCCUPIED, key, new JsonObject().put("channelId", channelId)));
    }
    if (frames) {
      String change = join ? PresenceFanout.JOIN : PresenceFanout.LEAVE;
      emitted.add(events.emit(join ? EventSink.PRESENCE_JOIN : EventSink.PRESENCE_LEAVE, key,
          new JsonObject().put("channelId", channelId).put("userId", userId)));
      // the edges this owner knows hold subscribers: join/leave frames carry no position, so an edge that announces
      // itself only after a ring change misses the frames sent meanwhile (presence() stays the truth)
      Set<String> edges = interest.edgesOf(channelId);
      if (!edges.isEmpty()) {
        String stream = Addresses.clientChannel(channelId);
        Buffer frame = EdgeOps.presenceFrame(stream, change, userId);
        EdgeOps.deliverAll(vertx, edges, EdgeOps.DELIVER_CHANNEL, channelId, frame, timeoutMs).onFailure(err ->
            LOG.warn("[{}] {} frame of {} in {} not taken by every edge: {}", membership.nodeId(), change, userId, channelId,
                err.getMessage()));
      }
    }
    if (!join && count == 0 && events.wants(EventSink.CHANNEL_VACATED)) {
      emitted.add(events.emit(EventSink.CHANNEL_VACATED, key, new JsonObject().put("channelId", channelId)));
    }
    return Future.join(emitted).mapEmpty();
  }

  /**
   * Runs the present-set changes of one channel one after the other (on this verticle's event loop); the next starts
   * once the previous one's change is stored, whatever its outcome.
   */
  private <T> Future<T> inOrder(String channelId, java.util.function.Supplier<Future<T>> step) {
    Future<?> prev = presenceTails.getOrDefault(channelId, Future.succeededFuture());
    Future<T> next = prev.transform(ar -> step.get());
    presenceTails.put(channelId, next);
    next.onComplete(ar -> presenceTails.remove(channelId, next));
    return next;
  }

  /** How many users the channel's present set holds (tests). */
  Future<Long> presentCount(String channelId) {
    return subscriptions.presentCount(channelId);
  }

  /**
   * The ring listener runs on this verticle's context a moment after the ring changed, while the guard
   * already sees the new ring: a publish that arrives in between must not be acknowledged on the old
   * soft state (CI: a new owner delivered to the one edge it knew of and acknowledged, in that gap). So a
   * publish that sees a ring the listener has not handled yet handles it first.
   */
  private void catchUpWithRing() {
    if (!membership.ring(Role.CHANNEL).members().equals(ringMembers)) {
      onRingChange();
    }
  }

  /** Drops interest of nodes that left and of channels this shard no longer owns. */
  void onRingChange() {
    Set<String> members = membership.ring(Role.CHANNEL).members();
    boolean changed = !members.equals(ringMembers);
    ringMembers = members; // the ring's own set: the next publishes compare by identity, not element by element
    if (changed) {
      streams.reset(); // another owner may have written our streams: read their meta again
    }
    interest.purge(membership.nodes().keySet(), this::owns); // channels left without an edge are dropped too
  }

  private boolean owns(String channelId) {
    return membership.ring(Role.CHANNEL).owns(membership.nodeId(), channelId);
  }

  private <T> Future<T> guard(String channelId, Future<T> other) {
    Future<T> bad = Validate.ids("channelId", channelId);
    if (bad != null) {
      return bad;
    }
    if (other != null) {
      return other;
    }
    if (!owns(channelId)) {
      return Failure.WRONG_SHARD.fail("node " + membership.nodeId() + " does not own channel " + channelId);
    }
    return null;
  }
}
