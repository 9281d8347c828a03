package io.socketpush.edge;

import io.socketpush.cluster.Addresses;
import io.socketpush.config.NodeConfig;
import io.socketpush.config.RuntimeConfig;
import io.socketpush.error.Failure;
import io.socketpush.ops.NodeMetrics;
import io.socketpush.shard.Services;
import io.socketpush.config.StreamRules;
import io.socketpush.stream.Position;
import io.socketpush.stream.StreamStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sockets of one edge node and everything they need from the cluster: authentication, presence,
 * the user's subscriptions, and local fan-out of deliveries. All state is confined to the edge verticle's
 * event loop; one event-bus consumer per node (the inbox), never one per socket.
 */
public final class EdgeNode {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeNode.class);

  /** Limits a session enforces, read from the runtime config. */
  public record Limits(int maxFrameSize, int maxAddressLength, int maxRegistrations, int maxFramesPerSecond) {
  }

  /** Local state of one user with sockets on this node. */
  private static final class LocalUser {
    final Set<ClientSession> sockets = new LinkedHashSet<>();
    final Set<String> channels = new HashSet<>();
    Future<Void> ready;
  }

  private final Vertx vertx;
  private final String nodeId;
  private final Services services;
  private final RuntimeConfig config;
  private final Set<ClientSession> sessions = new LinkedHashSet<>();
  private final Map<String, LocalUser> users = new HashMap<>();
  private final Map<String, Set<String>> channelUsers = new HashMap<>();
  private final Map<String, Set<ClientSession>> publicSockets = new HashMap<>();
  private final AtomicLong clientErrors = new AtomicLong();
  /**
   * Sockets a channel delivery writes to, per channel with local recipients, built on the first delivery
   * after a change and dropped ({@link #invalidate}) by every change of the channel's users, their sockets
   * or its public sockets. A publish then costs one map lookup and a loop over an array, instead of a user
   * lookup and a set copy per subscriber (about 12% of a 1 x 5,000 fan-out in the profile).
   */
  private final Map<String, ClientSession[]> recipients = new HashMap<>();
  private final AtomicLong slowConsumers = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final Map<Failure, Long> lastErrorLog = new HashMap<>();
  private final NodeMetrics metrics;
  /** Stream history, read to replay what a resuming socket missed; null: resume answers recovered:false. */
  private StreamStore streamStore;

  /** The outcome of a resume: per stream whether it recovered, and the replay to write after the auth reply. */
  record Resumed(JsonObject recovered, Runnable replay) {
  }

  public EdgeNode(Vertx vertx, Services services, RuntimeConfig config) {
    this.vertx = vertx;
    this.nodeId = services.membership().nodeId();
    this.services = services;
    this.config = config;
    this.metrics = NodeMetrics.of(vertx, nodeId);
  }

  /** Where this edge reads stream history from (for resuming sockets). */
  public void streams(StreamStore store) {
    this.streamStore = store;
  }

  /** This node's meters (socket-level counters are incremented through it). */
  public NodeMetrics metrics() {
    return metrics;
  }

  public Limits limits() {
    NodeConfig c = config.get();
    return new Limits(c.edge().integer("maxFrameSize"), c.edge().integer("maxAddressLength"),
        c.edge().integer("maxRegistrationsPerSocket"), c.edge().integer("maxFramesPerSecond"));
  }

  /** A new socket: it may do nothing until it authenticates within authTimeout. */
  public ClientSession open(ClientIo io) {
    ClientSession s = new ClientSession(io, this);
    sessions.add(s);
    long authTimeout = config.get().edge().longValue("authTimeout");
    s.authTimer = vertx.setTimer(authTimeout, t -> {
      if (!s.authenticated() && !s.closed()) {
        LOG.debug("[{}] {} did not authenticate within {} ms: closed", nodeId, s, authTimeout);
        s.close(ClientSession.CLOSE_AUTH_TIMEOUT, "auth_timeout");
      }
    });
    return s;
  }

  /** The socket's transport closed. */
  public void closed(ClientSession s) {
    s.markClosed();
    cancelAuthTimer(s);
    if (!sessions.remove(s)) {
      return;
    }
    for (String addr : s.registered()) {
      unregistered(s, addr);
    }
    String u = s.userId();
    if (u == null) {
      return;
    }
    LocalUser lu = users.get(u);
    if (lu == null || !lu.sockets.remove(s)) {
      return;
    }
    lu.channels.forEach(this::invalidate);
    if (!lu.sockets.isEmpty()) {
      return;
    }
    users.remove(u);
    for (String c : lu.channels) {
      dropLocalSubscriber(c, u);
    }
    services.presence().detach(u, nodeId).onFailure(err ->
        LOG.warn("[{}] detach of user {} failed (anti-entropy will repair): {}", nodeId, u, err.getMessage()));
  }

  Future<Void> authenticate(ClientSession s, String userId, String sessionId) {
    return services.auth().check(userId, sessionId).onFailure(err -> metrics.authFailed(Failure.of(err))).compose(u -> {
      if (s.closed()) {
        return Future.succeededFuture();
      }
      LocalUser lu = users.get(u);
      int maxSockets = config.get().edge().integer("maxSocketsPerUser");
      if (lu != null && lu.sockets.size() >= maxSockets) {
        return Failure.LIMIT_EXCEEDED.fail("user " + u + " already has " + maxSockets + " sockets on this node");
      }
      boolean first = lu == null;
      if (first) {
        lu = new LocalUser();
        users.put(u, lu);
      }
      lu.sockets.add(s);
      lu.channels.forEach(this::invalidate);
      s.authenticatedAs(u);
      if (first) {
        LocalUser created = lu;
        lu.ready = services.presence().attach(u, nodeId)
            .compose(v -> services.channel().getSubscriptions(u))
            .compose(channels -> {
              List<Future<Void>> interests = new ArrayList<>();
              for (String c : channels) {
                created.channels.add(c);
                invalidate(c);
                if (channelUsers.computeIfAbsent(c, k -> new HashSet<>()).add(u) && channelUsers.get(c).size() == 1) {
                  interests.add(services.interest().addInterest(c, nodeId));
                }
              }
              return Future.all(interests).<Void>mapEmpty();
            })
            .onFailure(err -> {
              // undo: this socket is not usable; others will retry from scratch
              LOG.warn("[{}] attaching user {} failed: {}", nodeId, u, err.getMessage());
              s.authenticatedAs(null);
              created.sockets.remove(s);
              created.channels.forEach(this::invalidate);
              if (created.sockets.isEmpty() && users.get(u) == created) {
                users.remove(u);
                created.channels.forEach(c -> dropLocalSubscriber(c, u));
              }
            });
      }
      // authenticated: the pending auth timeout (a timer per socket) is not needed any more
      return lu.ready.onSuccess(v -> cancelAuthTimer(s));
    });
  }

  /**
   * Resumes an authenticated socket's streams from the positions its auth frame carried: reads what it missed
   * from history (its own user stream and its subscribed channels only), and returns per stream whether that
   * worked, plus the replay to write once the auth reply is out. The socket's live deliveries of these streams
   * have been held back since before it became a recipient; the replay writes the history in order, then the
   * held ones it did not cover. A position of another epoch, older than the history, or ahead of it answers
   * false, and the stream goes live. Never fails: an unreadable history counts as not recovered.
   */
  Future<Resumed> resume(ClientSession s, Map<String, Position> positions) {
    String u = s.userId();
    LocalUser lu = users.get(u);
    Map<String, Future<StreamStore.History>> reads = new LinkedHashMap<>();
    for (Map.Entry<String, Position> e : positions.entrySet()) {
      String stream = e.getKey();
      if (streamStore != null && mayResume(u, lu, stream)) {
        StreamRules.Rule rule = config.get().streams().forStream(stream);
        reads.put(stream, streamStore.read(stream, rule, e.getValue().offset(), rule.historySize()).otherwise(err -> {
          LOG.warn("[{}] history of {} unreadable, {} goes live without replay: {}", nodeId, stream, s, err.getMessage());
          return null;
        }));
      }
    }
    return Future.join(new ArrayList<>(reads.values())).transform(ignored -> {
      JsonObject recovered = new JsonObject();
      List<Runnable> steps = new ArrayList<>();
      StreamCursors cursors = s.cursors();
      positions.forEach((stream, pos) -> {
        Future<StreamStore.History> read = reads.get(stream);
        StreamStore.History h = read == null ? null : read.result();
        boolean ok = h != null && pos.epoch().equals(h.epoch()) && h.complete() && pos.offset() <= h.top();
        recovered.put(stream, ok);
        if (read == null) {
          steps.add(() -> cursors.drop(stream).forEach(s::deliver));
        } else if (ok) {
          steps.add(() -> {
            for (StreamStore.Entry m : h.messages()) {
              s.deliver(EdgeOps.recFrame(stream, m.message(), new Position(h.epoch(), m.offset())).toString());
            }
            cursors.release(stream, h.epoch(), h.top()).forEach(s::deliver);
          });
        } else {
          steps.add(() -> cursors.release(stream, null, -1).forEach(s::deliver));
        }
      });
      return Future.succeededFuture(new Resumed(recovered, () -> steps.forEach(Runnable::run)));
    });
  }

  /** A socket may resume its own user stream and the channels its user is subscribed to. */
  private static boolean mayResume(String userId, LocalUser lu, String stream) {
    if (stream.equals(Addresses.clientUser(userId))) {
      return true;
    }
    return stream.startsWith(Addresses.CLIENT_CHANNEL_PREFIX) && lu != null
        && lu.channels.contains(stream.substring(Addresses.CLIENT_CHANNEL_PREFIX.length()));
  }

  private void cancelAuthTimer(ClientSession s) {
    if (s.authTimer >= 0) {
      vertx.cancelTimer(s.authTimer);
      s.authTimer = -1;
    }
  }

  boolean mayRegister(ClientSession s, String address) {
    String u = s.userId();
    if (address.equals(Addresses.clientUser(u))) {
      return true;
    }
    if (address.startsWith(Addresses.CLIENT_CHANNEL_PREFIX)) {
      String c = address.substring(Addresses.CLIENT_CHANNEL_PREFIX.length());
      LocalUser lu = users.get(u);
      if (lu != null && lu.channels.contains(c)) {
        return true;
      }
      if (config.get().edge().strings("publicChannels").contains(c)) {
        Set<ClientSession> subs = publicSockets.computeIfAbsent(c, k -> Collections.newSetFromMap(new IdentityHashMap<>()));
        subs.add(s);
        invalidate(c);
        if (subs.size() == 1 && !channelUsers.containsKey(c)) {
          services.interest().addInterest(c, nodeId);
        }
        return true;
      }
    }
    return false;
  }

  void unregistered(ClientSession s, String address) {
    if (address.startsWith(Addresses.CLIENT_CHANNEL_PREFIX)) {
      String c = address.substring(Addresses.CLIENT_CHANNEL_PREFIX.length());
      Set<ClientSession> subs = publicSockets.get(c);
      invalidate(c);
      if (subs != null && subs.remove(s) && subs.isEmpty()) {
        publicSockets.remove(c);
        if (!channelUsers.containsKey(c)) {
          services.interest().removeInterest(c, nodeId);
        }
      }
    }
  }

  /** Handles one message of this node's inbox (deliveries and control from owners). */
  public void onInbox(Message<Object> msg) {
    String op = msg.headers().get(EdgeOps.OP);
    if (op == null) {
      msg.fail(Failure.BAD_REQUEST.code, "no op");
      return;
    }
    switch (op) {
      case EdgeOps.DELIVER_USER -> msg.reply(metrics.delivered(NodeMetrics.USER,
          deliverToUser(msg.headers().get(EdgeOps.KEY), (Buffer) msg.body(), msg.headers().get(EdgeOps.EPOCH), offset(msg)),
          msg.headers().get(EdgeOps.SENT_AT)));
      case EdgeOps.DELIVER_CHANNEL -> msg.reply(metrics.delivered(NodeMetrics.CHANNEL,
          deliverToChannel(msg.headers().get(EdgeOps.KEY), (Buffer) msg.body(), msg.headers().get(EdgeOps.EPOCH), offset(msg)),
          msg.headers().get(EdgeOps.SENT_AT)));
      case EdgeOps.SUBSCRIBED -> {
        JsonObject b = (JsonObject) msg.body();
        msg.reply(subscribed(b.getString("userId"), b.getString("channelId")));
      }
      case EdgeOps.UNSUBSCRIBED -> {
        JsonObject b = (JsonObject) msg.body();
        msg.reply(unsubscribed(b.getString("userId"), b.getString("channelId")));
      }
      case EdgeOps.CLOSE_USER -> msg.reply(closeUser(((JsonObject) msg.body()).getString("userId")));
      case EdgeOps.STATS -> msg.reply(stats());
      case EdgeOps.CHANNELS -> {
        Set<String> cs = new HashSet<>(channelUsers.keySet());
        cs.addAll(publicSockets.keySet());
        msg.reply(new io.vertx.core.json.JsonArray(new ArrayList<>(cs)));
      }
      default -> msg.fail(Failure.BAD_REQUEST.code, "unknown op " + op);
    }
  }

  /** The stream offset a delivery carries; -1 when none. */
  private static long offset(Message<Object> msg) {
    String o = msg.headers().get(EdgeOps.OFFSET);
    try {
      return o == null ? -1 : Long.parseLong(o);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  int deliverToUser(String userId, Buffer encoded) {
    return deliverToUser(userId, encoded, null, -1);
  }

  int deliverToUser(String userId, Buffer encoded, String epoch, long offset) {
    LocalUser lu = users.get(userId);
    if (lu == null) {
      return 0;
    }
    String frame = encoded.toString(); // decoded once, written to every socket
    String stream = Addresses.clientUser(userId);
    int n = 0;
    for (ClientSession s : new ArrayList<>(lu.sockets)) {
      if (s.deliver(frame, stream, epoch, offset)) {
        n++;
      }
    }
    delivered.addAndGet(n);
    return n;
  }

  int deliverToChannel(String channelId, Buffer encoded) {
    return deliverToChannel(channelId, encoded, null, -1);
  }

  int deliverToChannel(String channelId, Buffer encoded, String epoch, long offset) {
    ClientSession[] targets = recipients.get(channelId);
    if (targets == null) {
      targets = collectRecipients(channelId);
      if (targets.length == 0) {
        return 0;
      }
      recipients.put(channelId, targets);
    }
    String frame = encoded.toString(); // decoded once, written to every socket
    String stream = Addresses.clientChannel(channelId);
    int n = 0;
    // an array snapshot: a slow consumer closed during the loop changes the sets, not this array
    for (ClientSession s : targets) {
      if (s.deliver(frame, stream, epoch, offset)) {
        n++;
      }
    }
    delivered.addAndGet(n);
    return n;
  }

  /** Every socket of the channel's local users, then its public-register sockets not already in. */
  private ClientSession[] collectRecipients(String channelId) {
    Set<ClientSession> out = Collections.newSetFromMap(new IdentityHashMap<>());
    Set<String> us = channelUsers.get(channelId);
    if (us != null) {
      for (String u : us) {
        LocalUser lu = users.get(u);
        if (lu != null) {
          out.addAll(lu.sockets);
        }
      }
    }
    Set<ClientSession> pub = publicSockets.get(channelId);
    if (pub != null) {
      out.addAll(pub);
    }
    return out.toArray(new ClientSession[0]);
  }

  private void invalidate(String channelId) {
    recipients.remove(channelId);
  }

  int subscribed(String userId, String channelId) {
    LocalUser lu = users.get(userId);
    if (lu == null) {
      return 0;
    }
    lu.channels.add(channelId);
    channelUsers.computeIfAbsent(channelId, k -> new HashSet<>()).add(userId);
    invalidate(channelId);
    return lu.sockets.size();
  }

  int unsubscribed(String userId, String channelId) {
    LocalUser lu = users.get(userId);
    if (lu == null) {
      return 0;
    }
    lu.channels.remove(channelId);
    for (ClientSession s : lu.sockets) {
      s.registered().remove(Addresses.clientChannel(channelId));
    }
    dropLocalSubscriber(channelId, userId);
    return lu.sockets.size();
  }

  int closeUser(String userId) {
    LocalUser lu = users.get(userId);
    if (lu == null) {
      return 0;
    }
    List<ClientSession> all = new ArrayList<>(lu.sockets);
    all.forEach(s -> s.close(ClientSession.CLOSE_REMOVED, "removed"));
    return all.size();
  }

  private void dropLocalSubscriber(String channelId, String userId) {
    invalidate(channelId);
    Set<String> us = channelUsers.get(channelId);
    if (us != null && us.remove(userId) && us.isEmpty()) {
      channelUsers.remove(channelId);
      if (!publicSockets.containsKey(channelId)) {
        services.interest().removeInterest(channelId, nodeId).onFailure(err ->
            LOG.debug("[{}] removeInterest {} failed: {}", nodeId, channelId, err.getMessage()));
      }
    }
  }

  /** Anti-entropy: tells every user and channel owner exactly what this edge holds. */
  public Future<Void> announce() {
    List<String> us = new ArrayList<>(users.keySet());
    Set<String> cs = new HashSet<>(channelUsers.keySet());
    cs.addAll(publicSockets.keySet());
    return Future.join(services.presence().announce(nodeId, us), services.interest().announce(nodeId, new ArrayList<>(cs)))
        .<Void>mapEmpty()
        .onFailure(err -> LOG.debug("[{}] announce incomplete: {}", nodeId, err.getMessage()));
  }

  /** Closes idle sockets (no frame for pingTimeout). */
  public void sweepIdle() {
    long timeout = config.get().edge().longValue("pingTimeout");
    long now = System.currentTimeMillis();
    for (ClientSession s : new ArrayList<>(sessions)) {
      if (now - s.lastFrameAt() > timeout) {
        s.close(1000, "idle_timeout");
      }
    }
  }

  /** Closes every socket, telling clients to reconnect elsewhere. */
  public void closeAll() {
    new ArrayList<>(sessions).forEach(s -> s.close(ClientSession.CLOSE_SHUTDOWN, "shutdown"));
  }

  void clientError(ClientSession s, Failure f, String message) {
    clientErrors.incrementAndGet();
    metrics.clientError(f);
    long now = System.currentTimeMillis();
    Long last = lastErrorLog.get(f);
    if (last == null || now - last > 10_000) { // one line per kind per 10 s
      lastErrorLog.put(f, now);
      LOG.info("[{}] client error {} from {}: {}", nodeId, f, s, message);
    }
  }

  void slowConsumer(ClientSession s) {
    slowConsumers.incrementAndGet();
    metrics.slowConsumerClosed();
    LOG.info("[{}] {} is a slow consumer (write queue full): closed", nodeId, s);
  }

  /** Counters for status and metrics. */
  public JsonObject stats() {
    long authed = sessions.stream().filter(ClientSession::authenticated).count();
    return new JsonObject().put("sockets", sessions.size()).put("authenticated", authed).put("users", users.size())
        .put("channels", channelUsers.size()).put("delivered", delivered.get()).put("clientErrors", clientErrors.get())
        .put("slowConsumerCloses", slowConsumers.get());
  }

  /** Completes once a promise-like wait elapsed; helper for graceful drains. */
  static Future<Void> sleep(Vertx vertx, long ms) {
    Promise<Void> p = Promise.promise();
    vertx.setTimer(ms, t -> p.complete());
    return p.future();
  }
}
