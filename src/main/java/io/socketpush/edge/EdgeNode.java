package io.socketpush.edge;

import io.socketpush.auth.TokenVerifier;
import io.socketpush.cluster.Addresses;
import io.socketpush.config.NodeConfig;
import io.socketpush.config.RuntimeConfig;
import io.socketpush.delivery.EdgeOps;
import io.socketpush.error.Failure;
import io.socketpush.ops.NodeMetrics;
import io.socketpush.shard.Services;
import io.vertx.core.Context;
import io.socketpush.config.StreamRules;
import io.socketpush.stream.Position;
import io.socketpush.stream.StreamStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.ContextInternal;
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
public final class EdgeNode implements io.socketpush.delivery.EdgeInbox {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeNode.class);

  /** Limits a session enforces, read from the runtime config. */
  public record Limits(int maxFrameSize, int maxAddressLength, int maxRegistrations, int maxFramesPerSecond) {
  }

  /** Local state of one user with sockets on this node. */
  private static final class LocalUser {
    // sized for the common case (one socket, a few channels): a default table is 16 slots, 80 bytes per set per user
    final Set<ClientSession> sockets = new LinkedHashSet<>(2);
    final Set<String> channels = new HashSet<>(4);
    /** The attach of the user's first socket (presence, subscriptions, interest); later sockets wait on it. */
    Future<Void> ready;
  }

  private final Vertx vertx;
  private final Context context;
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
  private final EdgeGuards guards;
  /** Most messages one gap repair reads from history; a bigger gap is logged and skipped. */
  static final int MAX_GAP = 1_000;
  private final StreamGaps gaps;
  /** Stream history, read to replay what a resuming socket missed; null: resume answers recovered:false. */
  private StreamStore streamStore;
  /** Verifies connection and subscription tokens; null when token auth is off (no key configured). */
  private TokenVerifier tokens;

  /** The outcome of a resume: per stream whether it recovered, and the replay to write after the auth reply. */
  record Resumed(JsonObject recovered, Runnable replay) {
  }

  /**
   * @param context the edge verticle's context: every method that touches sockets or maps runs on it
   */
  public EdgeNode(Vertx vertx, Context context, Services services, RuntimeConfig config, NodeMetrics metrics) {
    this.vertx = vertx;
    this.context = context;
    this.nodeId = services.membership().nodeId();
    this.services = services;
    this.config = config;
    this.metrics = metrics;
    this.guards = new EdgeGuards(nodeId, config);
    this.gaps = new StreamGaps(nodeId, MAX_GAP, this::readGap,
        (stream, message, position) -> EdgeOps.recFrame(stream, message, position).toString(), this::writeRepaired,
        (delayMs, task) -> vertx.setTimer(delayMs, t -> task.run()));
  }

  /** Counts bytes written to a socket against the node-wide outbound budget. */
  void queued(ClientSession s, int bytes, Future<Void> written) {
    guards.queued(s, bytes, written);
  }

  /** Brute-force and flood defences of this edge. */
  EdgeGuards guards() {
    return guards;
  }

  /** How this edge verifies tokens (null: token auth off). */
  public void tokens(TokenVerifier verifier) {
    this.tokens = verifier;
  }

  /** Where this edge reads stream history from (for resuming sockets and repairing gaps). */
  public void streams(StreamStore store) {
    this.streamStore = store;
  }

  /** Reads the messages a gap misses from history (none when the edge has no history store). */
  private Future<StreamStore.History> readGap(String stream, long since, int limit) {
    if (streamStore == null) {
      return Future.failedFuture("no history store");
    }
    return streamStore.read(stream, config.get().streams().forStream(stream), since, limit);
  }

  /** Writes a repaired or released delivery to the stream's current local recipients. */
  private void writeRepaired(String stream, StreamGaps.Item item) {
    List<ClientSession> sockets = List.of();
    if (stream.startsWith(Addresses.CLIENT_CHANNEL_PREFIX)) {
      sockets = java.util.Arrays.asList(channelTargets(stream.substring(Addresses.CLIENT_CHANNEL_PREFIX.length())));
    } else if (stream.startsWith(Addresses.CLIENT_USER_PREFIX)) {
      LocalUser lu = users.get(stream.substring(Addresses.CLIENT_USER_PREFIX.length()));
      sockets = lu == null ? List.of() : new ArrayList<>(lu.sockets);
    }
    write(sockets, item.frame(), stream, item.epoch(), item.offset());
  }

  /** This node's meters (socket-level counters are incremented through it). */
  public NodeMetrics metrics() {
    return metrics;
  }

  public Limits limits() {
    NodeConfig c = config.get();
    return new Limits(c.edge().maxFrameSize(), c.edge().maxAddressLength(),
        c.edge().maxRegistrationsPerSocket(), c.edge().maxFramesPerSecond());
  }

  /** A new socket: it may do nothing until it authenticates within authTimeout. */
  public ClientSession open(ClientIo io) {
    ClientSession s = new ClientSession(io, this);
    sessions.add(s);
    if (services.membership().fenced()) {
      // this node is in a minority partition: the client must reconnect to another edge
      s.close(ClientSession.CLOSE_PARTITIONED, "partitioned");
      return s;
    }
    if (!guards.admitUnauthenticated(s)) {
      clientError(s, Failure.LIMIT_EXCEEDED, "too many unauthenticated sockets from " + s.remoteHost());
      s.close(ClientSession.CLOSE_TOO_MANY_UNAUTHENTICATED, Failure.LIMIT_EXCEEDED.clientError);
      return s;
    }
    long authTimeout = config.get().edge().authTimeout();
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
    guards.closed(s);
    cancelAuthTimer(s);
    if (s.expiryTimer >= 0) {
      vertx.cancelTimer(s.expiryTimer);
      s.expiryTimer = -1;
    }
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
    // while its attach is in flight the user stays: the attach's end removes it if no socket is left, so a
    // late answer never adds channels or interest for a user nobody holds any more
    if (lu.sockets.isEmpty() && lu.ready.isComplete()) {
      removeUser(u, lu);
    }
  }

  /** Forgets a user with no socket left: its channels (and their interest at the owners) and its presence. */
  private void removeUser(String u, LocalUser lu) {
    if (users.get(u) != lu) {
      return;
    }
    users.remove(u);
    gaps.forget(Addresses.clientUser(u));
    for (String c : lu.channels) {
      dropLocalSubscriber(c, u);
    }
    lu.channels.clear();
    services.presence().detach(u, nodeId).onFailure(err ->
        LOG.warn("[{}] detach of user {} failed (anti-entropy will repair): {}", nodeId, u, err.getMessage()));
  }

  /**
   * Authenticates a socket: checks the session, then joins the socket to its user on this node. The user's
   * first socket attaches the user (presence, subscriptions, channel interest); sockets arriving meanwhile
   * wait for the same attach. The socket counts as authenticated (and its auth timer stops) only once the
   * attach succeeded; if it fails, every waiting socket gets the failure, is unauthenticated again with its
   * auth timer still running (it may send its auth again, or is closed at authTimeout), and the user is
   * forgotten, so the next attempt starts from scratch.
   */
  Future<Void> authenticate(ClientSession s, String userId, String sessionId) {
    return services.auth().check(userId, sessionId).onFailure(err -> metrics.authFailed(Failure.of(err))).compose(u -> join(s, u))
        .onSuccess(v -> {
          if (s.byToken() && s.authenticated()) {
            s.sessionAccepted(); // a token socket that logged in with a session again: no token, no expiry
            expireAt(s, 0);
          }
        });
  }

  /**
   * Authenticates a socket with a connection token: verifies it, subscribes its user to the token's
   * {@code channels} (through the channel service, exactly as the backend's channel.subscribe), then joins the
   * socket to its user as a session check would, keeps the {@code info} claim on the socket and closes the socket
   * with {@link ClientSession#CLOSE_TOKEN_EXPIRED} at exp + leeway unless a refresh moves that.
   */
  Future<Void> authenticateToken(ClientSession s, Object token) {
    if (tokens == null) {
      return Failure.BAD_REQUEST.fail("token auth is not configured on this server (tokens section)");
    }
    return tokens.connection(token).onFailure(err -> metrics.authFailed(Failure.of(err))).compose(c -> {
      if (s.userId() != null && !s.userId().equals(c.userId())) {
        return Failure.ACCESS_DENIED.fail("socket is authenticated as another user");
      }
      List<Future<Void>> subscriptions = new ArrayList<>();
      for (String channel : c.channels()) {
        subscriptions.add(services.channel().subscribe(c.userId(), channel));
      }
      return Future.all(subscriptions).compose(v -> join(s, c.userId())).map(v -> {
        if (!s.closed() && s.authenticated()) {
          s.tokenAccepted(c);
          expireAt(s, c.exp());
        }
        return null;
      });
    });
  }

  /** A fresh connection token for a token-authenticated socket: same user; the socket now expires at its exp. */
  Future<Long> refresh(ClientSession s, Object token) {
    if (tokens == null) {
      return Failure.BAD_REQUEST.fail("token auth is not configured on this server (tokens section)");
    }
    return tokens.connection(token).compose(c -> {
      if (!c.userId().equals(s.userId())) {
        return Failure.AUTH_FAILED.fail("token rejected: the refresh token is for another user");
      }
      if (!s.closed()) {
        s.tokenAccepted(c);
        expireAt(s, c.exp());
      }
      return Future.succeededFuture(c.exp());
    }); // a refusal is answered (and logged) by the session's err frame
  }

  /** Joins the socket's user to the channel a subscription token names; the channel id. */
  Future<String> subscribeWithToken(ClientSession s, Object token) {
    if (tokens == null) {
      return Failure.BAD_REQUEST.fail("token auth is not configured on this server (tokens section)");
    }
    return tokens.subscription(token, s.userId())
        .compose(c -> services.channel().subscribe(c.userId(), c.channel()).map(c.channel()));
  }

  /** (Re)arms the socket's expiry: closed with token_expired at {@code exp} + leeway; never when exp is 0. */
  private void expireAt(ClientSession s, long exp) {
    if (s.expiryTimer >= 0) {
      vertx.cancelTimer(s.expiryTimer);
      s.expiryTimer = -1;
    }
    if (exp <= 0) {
      return;
    }
    long delay = Math.max(1, (exp + tokens.leeway()) * 1_000 - System.currentTimeMillis());
    s.expiryTimer = vertx.setTimer(delay, t -> {
      s.expiryTimer = -1;
      if (!s.closed()) {
        LOG.debug("[{}] {}: token expired without a refresh: closed", nodeId, s);
        s.close(ClientSession.CLOSE_TOKEN_EXPIRED, "token_expired");
      }
    });
  }

  /** Joins an authenticated socket to its user on this node (see {@link #authenticate}). */
  private Future<Void> join(ClientSession s, String u) {
    if (s.closed()) {
      return Future.succeededFuture();
    }
    LocalUser lu = users.get(u);
    int maxSockets = config.get().edge().maxSocketsPerUser();
    if (lu != null && !lu.sockets.contains(s) && lu.sockets.size() >= maxSockets) {
      return Failure.LIMIT_EXCEEDED.fail("user " + u + " already has " + maxSockets + " sockets on this node");
    }
    if (lu == null) {
      lu = new LocalUser();
      users.put(u, lu);
      lu.ready = attach(u, lu);
    }
    LocalUser joined = lu;
    joined.sockets.add(s);
    joined.channels.forEach(this::invalidate);
    s.joined(u);
    return joined.ready.map(v -> {
      if (!s.closed() && joined.sockets.contains(s)) {
        s.attached();
        cancelAuthTimer(s); // the pending auth timeout (a timer per socket) is not needed any more
      }
      return null;
    });
  }

  /**
   * Attaches a user's first socket: presence at the user's owner, then the user's subscriptions and the
   * interest of this node in their channels. Completes after its outcome was applied to the local maps.
   */
  private Future<Void> attach(String u, LocalUser lu) {
    return services.presence().attach(u, nodeId)
        .compose(v -> io.socketpush.message.Pages.all(cursor -> services.channel().getSubscriptions(u, 0, cursor)))
        .compose(channels -> {
          List<Future<Void>> interests = new ArrayList<>();
          for (String c : channels) {
            lu.channels.add(c);
            invalidate(c);
            if (channelUsers.computeIfAbsent(c, k -> new HashSet<>()).add(u) && channelUsers.get(c).size() == 1) {
              interests.add(services.interest().attach(c, nodeId));
            }
          }
          return Future.all(interests).<Void>mapEmpty();
        })
        .andThen(ar -> {
          if (ar.failed()) {
            attachFailed(u, lu, ar.cause());
          } else if (lu.sockets.isEmpty()) {
            removeUser(u, lu); // every socket closed while the attach was in flight
          }
        });
  }

  /** Undoes a failed attach: no socket stays half-authenticated and the user is attached again from scratch. */
  private void attachFailed(String u, LocalUser lu, Throwable err) {
    LOG.warn("[{}] attaching user {} failed ({} socket(s) waiting, told to authenticate again): {}", nodeId, u,
        lu.sockets.size(), err.getMessage());
    for (ClientSession s : lu.sockets) {
      s.joined(null); // unauthenticated again; its auth timer still runs
      for (String addr : s.registered()) {
        unregistered(s, addr);
      }
      s.registered().clear();
    }
    lu.sockets.clear();
    removeUser(u, lu); // the attach may have reached presence and some channel owners: undo those too
  }

  /**
   * Resumes an authenticated socket's streams from the positions its auth frame carried: reads what it missed
   * from history (its own user stream and its subscribed channels only), and returns per stream whether that
   * worked, plus the replay to write once the auth reply is out. The socket's live deliveries of these streams
   * have been held back since before it became a recipient; the replay writes the history in order, then the
   * held ones it did not cover. A position of another epoch, older than the history, or ahead of it answers
   * false, and the stream goes live. Never fails: a history still unreadable after {@link #RESUME_READS} reads (a grid
   * timeout during a topology change is read again) counts as not recovered.
   */
  /** Reads of a resume's history while the grid cannot serve them (a topology change), {@link Reread}. */
  static final int RESUME_READS = 3;
  static final long RESUME_REREAD_MS = 1_000;

  Future<Resumed> resume(ClientSession s, Map<String, Position> positions) {
    String u = s.userId();
    LocalUser lu = users.get(u);
    Map<String, Future<StreamStore.History>> reads = new LinkedHashMap<>();
    for (Map.Entry<String, Position> e : positions.entrySet()) {
      String stream = e.getKey();
      if (streamStore != null && mayResume(u, lu, stream)) {
        StreamRules.Rule rule = config.get().streams().forStream(stream);
        long since = e.getValue().offset();
        reads.put(stream, Reread.withRetries(() -> streamStore.read(stream, rule, since, rule.historySize()), RESUME_READS,
            RESUME_REREAD_MS, (delayMs, task) -> vertx.setTimer(delayMs, t -> task.run()), s::closed).otherwise(err -> {
          LOG.warn("[{}] history of {} unreadable ({} reads), {} goes live without replay: {}", nodeId, stream, RESUME_READS, s,
              err.getMessage());
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
            closeReplayGap(s, stream, h.epoch(), h.top());
          });
        } else {
          steps.add(() -> cursors.release(stream, null, -1).forEach(s::deliver));
        }
      });
      return Future.succeededFuture(new Resumed(recovered, () -> steps.forEach(Runnable::run)));
    });
  }

  /**
   * Ends a socket's replay of a stream at {@code top}: messages stored after the history was read but never
   * delivered here (the owner learnt of this edge only later: the first held live delivery is beyond
   * {@code top + 1}) are read and written first, then the held live ones. The edge's gap repair starts from
   * {@code top} when it had no position for the stream, so a later jump is repaired too.
   */
  private void closeReplayGap(ClientSession s, String stream, String epoch, long top) {
    StreamCursors cursors = s.cursors();
    long first = cursors.firstHeld(stream, epoch);
    Future<StreamStore.History> missing = first > top + 1 && first - top - 1 <= MAX_GAP
        ? readGap(stream, top, (int) (first - top - 1)).otherwise(err -> null) : Future.succeededFuture(null);
    missing.onComplete(ar -> {
      long last = top;
      StreamStore.History h = ar.result();
      if (h != null && epoch.equals(h.epoch())) {
        for (StreamStore.Entry m : h.messages()) {
          if (m.offset() > last && m.offset() < first) {
            s.deliver(EdgeOps.recFrame(stream, m.message(), new Position(epoch, m.offset())).toString());
            last = m.offset();
          }
        }
      }
      if (first > last + 1) {
        LOG.warn("[{}] {} resumed {} to {} but offsets {}..{} are not in history: skipped", nodeId, s, stream, last, last + 1, first - 1);
      }
      cursors.release(stream, epoch, last).forEach(s::deliver);
      gaps.seed(stream, epoch, last);
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
      if (config.get().edge().publicChannels().contains(c)) {
        Set<ClientSession> subs = publicSockets.computeIfAbsent(c, k -> Collections.newSetFromMap(new IdentityHashMap<>()));
        subs.add(s);
        invalidate(c);
        if (subs.size() == 1 && !channelUsers.containsKey(c)) {
          services.interest().attach(c, nodeId);
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
          gaps.forget(Addresses.clientChannel(c));
          services.interest().detach(c, nodeId);
        }
      }
    }
  }

  /** Handles one message of this node's inbox (deliveries and control from owners). */
  public void onInbox(Message<Object> msg) {
    Object reply;
    try {
      reply = handle(msg.headers().get(EdgeOps.OP), msg.headers().get(EdgeOps.KEY), msg.headers().get(EdgeOps.EPOCH), offset(msg),
          msg.headers().get(EdgeOps.SENT_AT), msg.body());
    } catch (io.vertx.serviceproxy.ServiceException e) {
      msg.fail(e.failureCode(), e.getMessage());
      return;
    }
    msg.reply(reply);
  }

  /**
   * One inbox operation, from the event bus ({@link #onInbox}) or from an owner on this node ({@link EdgeOps#bindLocal});
   * its answer, or a BAD_REQUEST ServiceException for a missing or unknown op.
   */
  @Override
  public Object handle(String op, String key, String epoch, long offset, String sentAt, Object body) {
    if (op == null) {
      throw Failure.BAD_REQUEST.exception("no op");
    }
    return switch (op) {
      case EdgeOps.DELIVER_USER -> metrics.delivered(NodeMetrics.USER, deliverToUser(key, (Buffer) body, epoch, offset), sentAt);
      case EdgeOps.DELIVER_CHANNEL -> metrics.delivered(NodeMetrics.CHANNEL, deliverToChannel(key, (Buffer) body, epoch, offset), sentAt);
      case EdgeOps.SUBSCRIBED -> subscribed(((JsonObject) body).getString("userId"), ((JsonObject) body).getString("channelId"));
      case EdgeOps.UNSUBSCRIBED -> unsubscribed(((JsonObject) body).getString("userId"), ((JsonObject) body).getString("channelId"));
      case EdgeOps.CLOSE_USER -> closeUser(((JsonObject) body).getString("userId"));
      case EdgeOps.STATS -> stats();
      case EdgeOps.PRESENCE -> presence((JsonObject) body);
      default -> throw Failure.BAD_REQUEST.exception("unknown op " + op);
    };
  }

  /**
   * This edge's part of a channel's presence: its local users subscribed to the channel (with at least one
   * socket), their socket counts and info (the first socket's that has one). See {@link EdgeOps#PRESENCE}.
   */
  JsonObject presence(JsonObject q) {
    String channelId = q.getString("channelId");
    String after = q.getString("after");
    int limit = q.getInteger("limit", 0);
    Set<String> us = channelId == null ? null : channelUsers.get(channelId);
    java.util.TreeMap<String, LocalUser> present = new java.util.TreeMap<>();
    int sockets = 0;
    if (us != null) {
      for (String u : us) {
        LocalUser lu = users.get(u);
        if (lu != null && !lu.sockets.isEmpty()) {
          present.put(u, lu);
          sockets += lu.sockets.size();
        }
      }
    }
    io.vertx.core.json.JsonArray items = new io.vertx.core.json.JsonArray();
    java.util.SortedMap<String, LocalUser> page = after == null || after.isEmpty() ? present : present.tailMap(after + "\0");
    for (Map.Entry<String, LocalUser> e : page.entrySet()) {
      if (items.size() > limit) {
        break;
      }
      JsonObject info = null;
      for (ClientSession s : e.getValue().sockets) {
        if (s.info() != null) {
          info = s.info();
          break;
        }
      }
      items.add(new JsonObject().put("userId", e.getKey()).put("sockets", e.getValue().sockets.size()).put("info", info));
    }
    JsonObject out = new JsonObject().put("users", present.size()).put("sockets", sockets);
    if (limit > 0) {
      out.put("items", items);
    }
    if (q.getBoolean("ids", false)) {
      out.put("ids", new io.vertx.core.json.JsonArray(new ArrayList<>(present.keySet())));
    }
    return out;
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
    StreamGaps.Verdict v = gaps.accept(stream, epoch, offset, frame);
    if (v != StreamGaps.Verdict.WRITE) {
      return v == StreamGaps.Verdict.HELD ? lu.sockets.size() : 0; // written in order after the gap, or written before
    }
    return write(new ArrayList<>(lu.sockets), frame, stream, epoch, offset);
  }

  int deliverToChannel(String channelId, Buffer encoded) {
    return deliverToChannel(channelId, encoded, null, -1);
  }

  int deliverToChannel(String channelId, Buffer encoded, String epoch, long offset) {
    ClientSession[] targets = channelTargets(channelId);
    if (targets.length == 0) {
      return 0;
    }
    String frame = encoded.toString(); // decoded once, written to every socket
    String stream = Addresses.clientChannel(channelId);
    StreamGaps.Verdict v = gaps.accept(stream, epoch, offset, frame);
    if (v != StreamGaps.Verdict.WRITE) {
      return v == StreamGaps.Verdict.HELD ? targets.length : 0; // written in order after the gap, or written before
    }
    // an array snapshot: a slow consumer closed during the loop changes the sets, not this array
    return write(java.util.Arrays.asList(targets), frame, stream, epoch, offset);
  }

  /** The sockets a channel delivery writes to, cached until the channel's recipients change. */
  private ClientSession[] channelTargets(String channelId) {
    ClientSession[] targets = recipients.get(channelId);
    if (targets == null) {
      targets = collectRecipients(channelId);
      if (targets.length > 0) {
        recipients.put(channelId, targets);
      }
    }
    return targets;
  }

  /** Writes one stream frame to {@code sockets} (a snapshot); the number written. */
  private int write(List<ClientSession> sockets, String frame, String stream, String epoch, long offset) {
    int n = 0;
    for (ClientSession s : sockets) {
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
    Set<ClientSession> pub = publicSockets.get(channelId);
    for (ClientSession s : lu.sockets) {
      // a registration of a public channel stays (and is dropped with the socket); others end here
      if (pub == null || !pub.contains(s)) {
        s.registered().remove(Addresses.clientChannel(channelId));
      }
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
        gaps.forget(Addresses.clientChannel(channelId));
        services.interest().detach(channelId, nodeId).onFailure(err ->
            LOG.debug("[{}] interest detach of {} failed: {}", nodeId, channelId, err.getMessage()));
      }
    }
  }

  /**
   * The one ring-change handover (DESIGN "Streams"), also run periodically as anti-entropy: tells every user and
   * channel owner exactly what this edge holds, and reads from history whatever an owner stored for those streams
   * beyond what this edge wrote (published while the owner did not know this edge: a new owner acknowledges a
   * publish once it is stored, before the edges' announcements reached it).
   */
  public Future<Void> announce() {
    List<String> us = new ArrayList<>(users.keySet());
    Set<String> cs = new HashSet<>(channelUsers.keySet());
    cs.addAll(publicSockets.keySet());
    Future<JsonObject> userTops = services.presence().announce(nodeId, us).onSuccess(this::catchUp);
    Future<JsonObject> channelTops = services.interest().announce(nodeId, new ArrayList<>(cs)).onSuccess(this::catchUp);
    return Future.join(userTops, channelTops)
        .<Void>mapEmpty()
        .onFailure(err -> LOG.debug("[{}] announce incomplete: {}", nodeId, err.getMessage()));
  }

  /**
   * The ring changed: a node in a minority partition ({@code fenced}) closes every socket so its clients go to another
   * edge; otherwise it tells the owners what it holds (owners keep what they do not own yet, for when their own ring
   * catches up) and repairs what they stored meanwhile from history ({@link #announce}).
   */
  public void onRingChange() {
    if (services.membership().fenced()) {
      closeAll(ClientSession.CLOSE_PARTITIONED, "partitioned");
      return;
    }
    announce();
  }

  /** Repairs each stream an owner named with a top beyond what this edge wrote ({@code stream -> "epoch:offset"}). */
  private void catchUp(JsonObject tops) {
    for (Map.Entry<String, Object> e : tops) {
      io.socketpush.stream.Position top = io.socketpush.stream.Position.parse(e.getValue());
      if (top != null) {
        gaps.catchUp(e.getKey(), top.epoch(), top.offset());
      }
    }
  }

  /** The open sockets' sessions, a copy taken on the edge's event loop (for tests). */
  Future<List<ClientSession>> sessions() {
    Promise<List<ClientSession>> copy = Promise.promise();
    context.runOnContext(v -> copy.complete(new ArrayList<>(sessions)));
    return copy.future();
  }

  /** Closes idle sockets (no frame for pingTimeout). */
  public void sweepIdle() {
    long timeout = config.get().edge().pingTimeout();
    long now = System.currentTimeMillis();
    for (ClientSession s : new ArrayList<>(sessions)) {
      if (now - s.lastFrameAt() > timeout) {
        s.close(1000, "idle_timeout");
      }
    }
  }

  /** Closes every socket, telling clients to reconnect elsewhere. Must run on the edge's context. */
  public void closeAll() {
    closeAll(ClientSession.CLOSE_SHUTDOWN, "shutdown");
  }

  /** Closes every socket with a close code and reason (sent first as an err frame). Must run on the edge's context. */
  public void closeAll(int code, String reason) {
    onOwnContext("closeAll");
    if (!sessions.isEmpty()) {
      LOG.warn("[{}] closing {} sockets: {}", nodeId, sessions.size(), reason);
    }
    new ArrayList<>(sessions).forEach(s -> s.close(code, reason));
  }

  /**
   * Fails loudly when called off the edge's context: the maps are confined to it, so a caller on another
   * thread (the node verticle stopping the node, a cluster-manager callback) would mutate them concurrently
   * with deliveries.
   */
  private void onOwnContext(String what) {
    Context current = Vertx.currentContext();
    if (current == null || ((ContextInternal) current).unwrap() != ((ContextInternal) context).unwrap()) {
      throw new IllegalStateException("[" + nodeId + "] edge " + what + " called on " + Vertx.currentContext()
          + " instead of the edge verticle's context " + context);
    }
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
    // joined: sockets whose session check passed, authenticated or waiting on their user's attach
    int joined = users.values().stream().mapToInt(lu -> lu.sockets.size()).sum();
    return new JsonObject().put("sockets", sessions.size()).put("authenticated", authed).put("joined", joined)
        .put("users", users.size())
        .put("channels", channelUsers.size()).put("publicChannels", publicSockets.size()).put("cachedChannels", recipients.size())
        .put("delivered", delivered.get()).put("clientErrors", clientErrors.get())
        .put("slowConsumerCloses", slowConsumers.get()).put("queuedBytes", guards.queuedBytes())
        .put("budgetCloses", guards.shedCloses()).put("gapsRepaired", gaps.repaired()).put("gapsUnrepairable", gaps.unrepairable());
  }
}
