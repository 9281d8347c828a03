package io.socketpush.user;

import io.socketpush.channel.ChannelService;
import io.socketpush.cluster.Addresses;
import io.socketpush.cluster.Membership;
import io.socketpush.config.NodeConfig.Role;
import io.socketpush.delivery.EdgeOps;
import io.socketpush.delivery.EdgeRegistry;
import io.socketpush.delivery.RegistryService;
import io.socketpush.error.Failure;
import io.socketpush.error.Validate;
import io.socketpush.message.Page;
import io.socketpush.message.PushMessage;
import io.socketpush.message.Pages;
import io.socketpush.stream.PublishResult;
import io.socketpush.stream.Position;
import io.socketpush.stream.StreamLog;
import io.socketpush.stream.StreamStore;
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
import java.util.TreeSet;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard of UserService and of the users' RegistryService (presence): which edge nodes hold each owned user's sockets (soft
 * state, in memory, confined to this verticle's event loop), and publishing to a user with one message per
 * edge node. A user whose last socket closed is unsubscribed from all channels after
 * {@code removeUserAfterDisconnectTimeout}.
 */
final class UserServiceImpl implements UserService, RegistryService {
  private static final Logger LOG = LoggerFactory.getLogger(UserServiceImpl.class);

  private final Vertx vertx;
  private Set<String> ringMembers = Set.of();
  private final Membership membership;
  private final ChannelService channels;
  /** Presence of the current owner of a user (the sharded facade), asked when an offline timer outlived our ownership. */
  private final RegistryService ownerPresence;
  private final LongSupplier offlineGraceMs;
  private final long timeoutMs;
  private final IntSupplier listLimit;
  /** Which edges hold each user's sockets; sorted, so listAll pages from a cursor in O(log n + limit). */
  private final EdgeRegistry presence = EdgeRegistry.sorted();
  private final Map<String, Long> offlineTimers = new HashMap<>();
  /** Users whose online waits for their attaching edges (see RegistryService#attach), and its deadline timers. */
  private final OnlineGate gate = new OnlineGate();
  private final Map<String, Long> onlineDeadlines = new HashMap<>();
  private final StreamLog streams;
  private io.socketpush.channel.PresenceFanout fanout = io.socketpush.channel.PresenceFanout.NONE;

  UserServiceImpl(Vertx vertx, Membership membership, ChannelService channels, RegistryService ownerPresence,
      LongSupplier offlineGraceMs, long timeoutMs, IntSupplier listLimit, StreamLog streams) {
    this.vertx = vertx;
    this.streams = streams;
    this.membership = membership;
    this.channels = channels;
    this.ownerPresence = ownerPresence;
    this.offlineGraceMs = offlineGraceMs;
    this.timeoutMs = timeoutMs;
    this.listLimit = listLimit;
  }

  /** What to do when a user comes online or goes offline (events, presence join/leave). */
  void fanout(io.socketpush.channel.PresenceFanout fanout) {
    this.fanout = fanout;
  }

  @Override
  public Future<PublishResult> publish(String userId, PushMessage message, String idempotencyKey) {
    if (!membership.ring(Role.USER).members().equals(ringMembers)) {
      onRingChange(); // the ring changed but our listener has not run yet: see ChannelServiceImpl#catchUpWithRing
    }
    Future<PublishResult> bad = guard(userId);
    if (bad == null) {
      bad = Validate.message(message);
    }
    if (bad == null) {
      bad = StreamLog.validKey(idempotencyKey);
    }
    if (bad != null) {
      return bad;
    }
    String stream = Addresses.clientUser(userId);
    // a retry of a publish already in the stream gets its first position and is sent again under it: the first
    // attempt may have stopped between storing and delivering, and edges drop positions they already wrote, so
    // no socket gets it twice
    return streams.recall(stream, idempotencyKey).compose(first -> appendAndDeliver(userId, stream, message, idempotencyKey, first));
  }

  private Future<PublishResult> appendAndDeliver(String userId, String stream, PushMessage message, String idempotencyKey, Position first) {
    // no socket known: a user between sockets (inside removeUserAfterDisconnectTimeout) is not offline
    Future<Boolean> away = presence.has(userId) ? Future.succeededFuture(false) : betweenSockets(userId);
    return away.compose(between -> {
      if (!between && recipients(userId).isEmpty()) {
        return Failure.NOT_CONNECTED.fail("user " + userId + " has no open socket");
      }
      // stored in the user's stream first (2 owners), then delivered: the edges see the position in the frame
      Future<io.socketpush.stream.StreamLog.Appended> stored = first != null
          ? Future.succeededFuture(new io.socketpush.stream.StreamLog.Appended(first, true))
          : streams.appendRecalled(stream, message.value(), idempotencyKey); // recall found no earlier attempt
      return stored.compose(appended -> {
        Position pos = appended.position();
        Buffer frame = EdgeOps.recFrame(stream, message.value(), pos);
        Set<String> edges = recipients(userId);
        Future<Integer> delivered = edges.isEmpty() ? Future.succeededFuture(0)
            : EdgeOps.deliverAll(vertx, edges, EdgeOps.DELIVER_USER, userId, frame, pos, timeoutMs);
        // a retry's edges answer 0 for sockets that had it already: the message is stored, so it is acknowledged
        return delivered.compose(reached -> reached > 0 || between || appended.duplicate()
            ? Future.succeededFuture(new PublishResult(reached, pos.epoch(), pos.offset()))
            : Failure.NOT_CONNECTED.fail("user " + userId + " has no open socket"));
      });
    });
  }

  /**
   * Whether a user with no known socket is between sockets: its offline timer runs here, or the grid holds its
   * away mark (written by an earlier owner), or it had sockets when its previous owner and edge died (then the
   * grace starts now, here).
   */
  private Future<Boolean> betweenSockets(String userId) {
    if (offlineTimers.containsKey(userId)) {
      return Future.succeededFuture(true);
    }
    StreamStore marks = streams.store();
    return marks.isAway(userId).compose(away -> away ? Future.succeededFuture(true) : marks.wasPresent(userId).compose(seen -> {
      if (!seen) {
        return Future.succeededFuture(false);
      }
      if (!offlineTimers.containsKey(userId) && !presence.has(userId)) {
        scheduleOffline(userId);
      }
      return Future.succeededFuture(true);
    })).otherwise(err -> {
      LOG.warn("[{}] between-sockets mark of {} unreadable: {}", membership.nodeId(), userId, err.getMessage());
      return false;
    });
  }

  /**
   * The edges to deliver a user's message to. After a ring change an edge we do not know yet reads what it missed
   * from history when its announcement reaches us (announce answers the stream's top).
   */
  private Set<String> recipients(String userId) {
    return presence.edgesOf(userId);
  }

  @Override
  public Future<Integer> remove(String userId) {
    Future<Integer> bad = guard(userId);
    if (bad != null) {
      return bad;
    }
    Set<String> edges = presence.edgesOf(userId);
    List<Future<Integer>> closes = new ArrayList<>();
    for (String edge : new ArrayList<>(edges)) {
      closes.add(EdgeOps.control(vertx, edge, EdgeOps.CLOSE_USER, new JsonObject().put("userId", userId), timeoutMs));
    }
    return Future.join(closes).transform(ar -> {
      int closed = 0;
      for (Future<Integer> f : closes) {
        closed += f.succeeded() ? f.result() : 0;
      }
      return Future.succeededFuture(closed);
    });
  }

  @Override
  public Future<List<String>> getFrontendServer(String userId) {
    Future<List<String>> bad = guard(userId);
    if (bad != null) {
      return bad;
    }
    TreeSet<String> urls = new TreeSet<>();
    Map<String, JsonObject> nodes = membership.nodes();
    for (String edge : presence.edgesOf(userId)) {
      JsonObject d = nodes.get(edge);
      if (d != null && d.getString("clientUrl") != null) {
        urls.add(d.getString("clientUrl"));
      }
    }
    return Future.succeededFuture(new ArrayList<>(urls));
  }

  @Override
  public Future<Page> listAll(int limit, String cursor) {
    return Pages.sized(limit, listLimit.getAsInt(), n -> Future.succeededFuture(firstAfter(cursor, n)));
  }

  /** The first {@code n} present users after {@code cursor}. */
  private Page firstAfter(String cursor, int n) {
    java.util.Collection<String> after = presence.keysAfter(cursor);
    List<String> items = new ArrayList<>(Math.min(n, after.size()));
    for (String u : after) {
      if (items.size() == n) {
        return new Page(items, items.get(n - 1));
      }
      items.add(u);
    }
    return new Page(items, null);
  }

  @Override
  public Future<JsonObject> history(String userId, String since, int limit) {
    Future<JsonObject> bad = guard(userId);
    return bad != null ? bad : streams.history(Addresses.clientUser(userId), since, limit);
  }

  // ---- RegistryService: presence (internal) ----

  @Override
  public Future<Boolean> attach(String userId, String nodeId) {
    Future<Boolean> bad = guard(userId);
    if (bad != null) {
      return bad;
    }
    boolean first = presence.add(userId, nodeId);
    Long timer = offlineTimers.remove(userId);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
    if (!first) {
      return Future.succeededFuture(gate.join(userId, nodeId)); // an online held for another edge waits for this one too
    }
    if (!fanout.active()) {
      return markPresent(userId).map(false);
    }
    // held at once, so an edge attaching while the marks are read waits too (see RegistryService#attach)
    hold(userId, nodeId);
    // online, unless this is a reconnect within the grace: our offline timer ran, or the grid's away mark
    // (written by an earlier owner) is still there; read before markPresent clears it. Nor when the grid's
    // present mark is there: the user never went offline (offline forgets it), its owner died or stopped before
    // it wrote the away mark (PresenceRollingRestartIT: an owner and edge stopped together gave a second online)
    Future<Boolean> wasAway = timer != null ? Future.succeededFuture(true)
        : streams.store().isAway(userId).compose(away -> away ? Future.succeededFuture(true)
            : streams.store().wasPresent(userId)).otherwise(err -> false);
    return wasAway.compose(away -> {
      if (away) {
        unhold(userId); // no online: the socket's edge has no join to wait for
      }
      return markPresent(userId).map(!away);
    });
  }

  /** Records in the grid that the user has sockets (clears its away mark); never fails (logs). */
  private Future<Void> markPresent(String userId) {
    return streams.store().markPresent(userId).otherwise(err -> {
      LOG.debug("[{}] presence mark of {} not written: {}", membership.nodeId(), userId, err.getMessage());
      return null;
    });
  }

  @Override
  public Future<Void> ready(String userId, String nodeId) {
    Future<Void> bad = guard(userId);
    if (bad != null) {
      return bad;
    }
    if (gate.release(userId, nodeId)) {
      online(userId);
    }
    return Future.succeededFuture();
  }

  /** Holds the user's online for {@code edge}; released by the edges' ready, their detach or the deadline. */
  private void hold(String userId, String edge) {
    gate.hold(userId, edge);
    // the edge's attach reads the subscriptions and attaches interest, each within the request timeout
    onlineDeadlines.computeIfAbsent(userId, u -> vertx.setTimer(3 * timeoutMs, t -> {
      onlineDeadlines.remove(u);
      if (gate.expire(u)) {
        LOG.debug("[{}] online of {} released by its deadline (an edge never said ready)", membership.nodeId(), u);
        fanout.online(u);
      }
    }));
  }

  private void unhold(String userId) {
    gate.cancel(userId);
    Long deadline = onlineDeadlines.remove(userId);
    if (deadline != null) {
      vertx.cancelTimer(deadline);
    }
  }

  /** The user's online goes out now (events, presence joins); not awaited: never fails. */
  private void online(String userId) {
    unhold(userId);
    fanout.online(userId);
  }

  @Override
  public Future<Void> detach(String userId, String nodeId) {
    Future<Void> bad = guard(userId);
    if (bad != null) {
      return bad;
    }
    if (gate.release(userId, nodeId)) {
      online(userId); // it came online, if only briefly: its online goes before its offline
    }
    if (presence.remove(userId, nodeId)) {
      scheduleOffline(userId);
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<JsonObject> announce(String nodeId, List<String> userIds) {
    Set<String> listed = new HashSet<>(userIds);
    String self = membership.nodeId();
    // kept even for users this shard does not own yet (see EdgeRegistry#announce)
    List<String> gone = presence.announce(nodeId, listed);
    for (String u : listed) {
      Long timer = offlineTimers.remove(u);
      if (timer != null) {
        vertx.cancelTimer(timer);
        markPresent(u); // back from between sockets
      }
    }
    for (String u : gone) {
      if (membership.ring(Role.USER).owns(self, u)) {
        scheduleOffline(u);
      }
    }
    return Future.succeededFuture(streams.tops(userIds, Addresses::clientUser));
  }

  @Override
  public Future<List<String>> edgesOf(String userId) {
    Future<List<String>> bad = guard(userId);
    return bad != null ? bad : Future.succeededFuture(new ArrayList<>(presence.edgesOf(userId)));
  }

  /** Drops presence of nodes that left and of users this shard no longer owns. */
  void onRingChange() {
    Set<String> members = membership.ring(Role.USER).members();
    boolean changed = !members.equals(ringMembers);
    ringMembers = members; // the ring's own set: the next publishes compare by identity, not element by element
    if (changed) {
      streams.reset(); // another owner may have written our streams: read their meta again
    }
    String self = membership.nodeId();
    // users we no longer own are dropped: the new owner learns them from the edges' re-announcement
    for (String u : presence.purge(membership.nodes().keySet(), u -> membership.ring(Role.USER).owns(self, u))) {
      scheduleOffline(u);
    }
  }

  /** Cancels the offline timers and online deadlines (the verticle stops; Vert.x would also cancel them with its context). */
  void close() {
    offlineTimers.values().forEach(vertx::cancelTimer);
    offlineTimers.clear();
    onlineDeadlines.values().forEach(vertx::cancelTimer);
    onlineDeadlines.clear();
  }

  /** Number of users present in this shard. */
  int size() {
    return presence.size();
  }

  private void scheduleOffline(String userId) {
    long grace = offlineGraceMs.getAsLong();
    Long old = offlineTimers.remove(userId);
    if (old != null) {
      vertx.cancelTimer(old);
    }
    streams.store().markAway(userId, grace).onFailure(err ->
        LOG.debug("[{}] away mark of {} not written: {}", membership.nodeId(), userId, err.getMessage()));
    offlineTimers.put(userId, vertx.setTimer(Math.max(1, grace), t -> {
      offlineTimers.remove(userId);
      if (presence.has(userId)) {
        return;
      }
      // the user's shard may have moved while it was offline: then the new owner's presence decides (it
      // learnt the user's sockets, if any, from the edges' re-announcements)
      Future<Boolean> offline = membership.ring(Role.USER).owns(membership.nodeId(), userId) ? Future.succeededFuture(true)
          : ownerPresence.edgesOf(userId).map(List::isEmpty);
      // offline: its events and presence leaves first (they read its subscriptions), then unsubscribed from all
      // the marks are forgotten once the offline is out, even if unsubscribeAll fails: the next socket is an online
      offline.compose(off -> off ? fanout.offline(userId).compose(v -> {
        streams.store().forgetUser(userId);
        return channels.unsubscribeAll(userId);
      }).map(true) : Future.succeededFuture(false)).onComplete(ar -> {
        if (ar.failed()) {
          LOG.warn("[{}] unsubscribeAll of offline user {} failed: {}", membership.nodeId(), userId, ar.cause().getMessage());
        } else if (ar.result()) {
          LOG.debug("[{}] user {} offline for {} ms: unsubscribed from all channels", membership.nodeId(), userId, grace);
        }
      });
    }));
  }

  private <T> Future<T> guard(String userId) {
    Future<T> bad = Validate.ids("userId", userId);
    if (bad != null) {
      return bad;
    }
    if (!membership.ring(Role.USER).owns(membership.nodeId(), userId)) {
      return Failure.WRONG_SHARD.fail("node " + membership.nodeId() + " does not own user " + userId);
    }
    return null;
  }
}
