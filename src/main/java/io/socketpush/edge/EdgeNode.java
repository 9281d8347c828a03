package io.socketpush.edge;

import io.socketpush.auth.TokenVerifier;
import io.socketpush.cluster.Addresses;
import io.socketpush.config.NodeConfig;
import io.socketpush.config.RuntimeConfig;
import io.socketpush.delivery.EdgeOps;
import io.socketpush.error.Failure;
import io.socketpush.ops.NodeMetrics;
import io.socketpush.shard.Services;
import io.socketpush.stream.Position;
import io.socketpush.stream.StreamStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sockets of one edge node and everything they need from the cluster, as one facade over the parts that do the
 * work: {@link EdgeAuth} (auth flow), {@link SubscriptionMirror} (local users, channels, recipients), {@link FanOut}
 * (local delivery), {@link StreamResume} (history replay), {@link Handover} (ring change and anti-entropy),
 * {@link Sweeps} (socket timers) and {@link EdgeStats}. This class keeps the open sockets and routes inbox operations.
 * All state is confined to the edge verticle's event loop; one event-bus consumer per node (the inbox), never one per
 * socket.
 */
public final class EdgeNode implements io.socketpush.delivery.EdgeInbox {
  private static final Logger LOG = LoggerFactory.getLogger(EdgeNode.class);

  /** Limits a session enforces, read from the runtime config. */
  public record Limits(int maxFrameSize, int maxAddressLength, int maxRegistrations, int maxFramesPerSecond) {
  }

  /** Most messages one gap repair reads from history; a bigger gap is logged and skipped. */
  static final int MAX_GAP = 1_000;

  private final Vertx vertx;
  private final Context context;
  private final String nodeId;
  private final Services services;
  private final RuntimeConfig config;
  private final Set<ClientSession> sessions = new LinkedHashSet<>();
  private final NodeMetrics metrics;
  private final EdgeGuards guards;
  private final StreamGaps gaps;
  private final SubscriptionMirror mirror;
  private final EdgeStats stats;
  private final Sweeps sweeps;
  private final EdgeAuth auth;
  private final StreamResume resume;
  private final FanOut fanOut;
  private final Handover handover;

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
    this.stats = new EdgeStats(nodeId, metrics);
    this.sweeps = new Sweeps(vertx, nodeId);
    // gaps reads history through resume and writes through fanOut, both built on gaps: bound late
    this.gaps = new StreamGaps(nodeId, MAX_GAP, this::readGap,
        (stream, message, position) -> EdgeOps.recFrame(stream, message, position).toString(), this::writeRepaired,
        (delayMs, task) -> vertx.setTimer(delayMs, t -> task.run()));
    this.mirror = new SubscriptionMirror(new SubscriptionMirror.Interest() {
      @Override
      public void add(String channelId) {
        services.interest().attach(channelId, nodeId);
      }

      @Override
      public void drop(String channelId) {
        gaps.forget(Addresses.clientChannel(channelId));
        services.interest().detach(channelId, nodeId).onFailure(err ->
            LOG.debug("[{}] interest detach of {} failed: {}", nodeId, channelId, err.getMessage()));
      }
    });
    this.auth = new EdgeAuth(nodeId, services, config, metrics, mirror, sweeps,
        u -> gaps.forget(Addresses.clientUser(u)), this::unregistered);
    this.resume = new StreamResume(vertx, nodeId, config, mirror, MAX_GAP, gaps);
    this.fanOut = new FanOut(mirror, gaps, stats);
    this.handover = new Handover(nodeId, services, mirror, gaps, this::closeAll);
  }

  private Future<StreamStore.History> readGap(String stream, long since, int limit) {
    return resume.readGap(stream, since, limit);
  }

  private void writeRepaired(String stream, StreamGaps.Item item) {
    fanOut.writeRepaired(stream, item);
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
    auth.tokens(verifier);
  }

  /** Where this edge reads stream history from (for resuming sockets and repairing gaps). */
  public void streams(StreamStore store) {
    resume.streams(store);
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
    sweeps.authTimeout(s, config.get().edge().authTimeout());
    return s;
  }

  /** The socket's transport closed. */
  public void closed(ClientSession s) {
    s.markClosed();
    guards.closed(s);
    sweeps.cancel(s);
    if (!sessions.remove(s)) {
      return;
    }
    for (String addr : s.registered()) {
      unregistered(s, addr);
    }
    auth.left(s);
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
    return auth.authenticate(s, userId, sessionId);
  }

  /**
   * Authenticates a socket with a connection token: verifies it, subscribes its user to the token's
   * {@code channels} (through the channel service, exactly as the backend's channel.subscribe), then joins the
   * socket to its user as a session check would, keeps the {@code info} claim on the socket and closes the socket
   * with {@link ClientSession#CLOSE_TOKEN_EXPIRED} at exp + leeway unless a refresh moves that.
   */
  Future<Void> authenticateToken(ClientSession s, Object token) {
    return auth.authenticateToken(s, token);
  }

  /** A fresh connection token for a token-authenticated socket: same user; the socket now expires at its exp. */
  Future<Long> refresh(ClientSession s, Object token) {
    return auth.refresh(s, token);
  }

  /** Joins the socket's user to the channel a subscription token names; the channel id. */
  Future<String> subscribeWithToken(ClientSession s, Object token) {
    return auth.subscribeWithToken(s, token);
  }

  /** Replays what an authenticated socket missed of the streams it resumes ({@link StreamResume#resume}). */
  Future<StreamResume.Resumed> resume(ClientSession s, Map<String, Position> positions) {
    return resume.resume(s, positions);
  }

  boolean mayRegister(ClientSession s, String address) {
    return mirror.mayRegister(s.userId(), s, address, config.get().edge().publicChannels());
  }

  void unregistered(ClientSession s, String address) {
    mirror.unregistered(s, address);
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
      case EdgeOps.DELIVER_USER -> metrics.delivered(NodeMetrics.USER, fanOut.toUser(key, (Buffer) body, epoch, offset), sentAt);
      case EdgeOps.DELIVER_CHANNEL -> metrics.delivered(NodeMetrics.CHANNEL, fanOut.toChannel(key, (Buffer) body, epoch, offset), sentAt);
      case EdgeOps.SUBSCRIBED -> mirror.subscribed(((JsonObject) body).getString("userId"), ((JsonObject) body).getString("channelId"));
      case EdgeOps.UNSUBSCRIBED -> mirror.unsubscribed(((JsonObject) body).getString("userId"), ((JsonObject) body).getString("channelId"));
      case EdgeOps.CLOSE_USER -> closeUser(((JsonObject) body).getString("userId"));
      case EdgeOps.STATS -> stats();
      case EdgeOps.PRESENCE -> EdgePresence.answer(mirror.present(((JsonObject) body).getString("channelId")), (JsonObject) body);
      default -> throw Failure.BAD_REQUEST.exception("unknown op " + op);
    };
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

  private int closeUser(String userId) {
    List<ClientSession> all = mirror.socketsOf(userId);
    all.forEach(s -> s.close(ClientSession.CLOSE_REMOVED, "removed"));
    return all.size();
  }

  /** The one ring-change handover, also run periodically as anti-entropy ({@link Handover#announce}). */
  public Future<Void> announce() {
    onOwnContext("announce"); // its repairs write to sockets and its answers update the maps
    return handover.announce();
  }

  /** The ring changed ({@link Handover#onRingChange}): fenced, close every socket; otherwise announce. */
  public void onRingChange() {
    handover.onRingChange();
  }

  /** The edge verticle's context, which every socket and map of this node is confined to. */
  Context context() {
    return context;
  }

  /** The open sockets' sessions, a copy taken on the edge's event loop (for tests). */
  Future<List<ClientSession>> sessions() {
    Promise<List<ClientSession>> copy = Promise.promise();
    context.runOnContext(v -> copy.complete(new ArrayList<>(sessions)));
    return copy.future();
  }

  /** Closes idle sockets (no frame for pingTimeout). */
  public void sweepIdle() {
    Sweeps.idle(sessions, System.currentTimeMillis(), config.get().edge().pingTimeout()).forEach(s -> s.close(1000, "idle_timeout"));
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
    stats.clientError(s, f, message, System.currentTimeMillis());
  }

  void slowConsumer(ClientSession s) {
    stats.slowConsumer(s);
  }

  /** Counters for status and metrics. */
  public JsonObject stats() {
    long authed = sessions.stream().filter(ClientSession::authenticated).count();
    return new JsonObject().put("sockets", sessions.size()).put("authenticated", authed).mergeIn(mirror.stats())
        .mergeIn(stats.toJson()).put("queuedBytes", guards.queuedBytes())
        .put("budgetCloses", guards.shedCloses()).put("gapsRepaired", gaps.repaired()).put("gapsUnrepairable", gaps.unrepairable());
  }
}
