package io.socketpush.edge;

import io.socketpush.cluster.Addresses;
import io.socketpush.delivery.EdgeOps;
import io.socketpush.error.Failure;
import io.socketpush.error.Validate;
import io.socketpush.stream.Position;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * One client socket speaking the event-bus bridge frame protocol: parses frames, enforces what the socket
 * may do in its state, and answers with {@code rec} or {@code err} frames. Confined to the edge's event
 * loop. The decisions that need the cluster (auth, subscriptions) are the {@link EdgeNode}'s.
 */
public final class ClientSession {
  /** Close codes sent to clients (4000-4999 are application codes in WebSocket and SockJS). */
  public static final int CLOSE_AUTH_TIMEOUT = 4001;
  public static final int CLOSE_SLOW_CONSUMER = 4002;
  public static final int CLOSE_REMOVED = 4003;
  public static final int CLOSE_SHUTDOWN = 4004;
  /** This node cannot see a majority of the cluster (partitioned): reconnect to another edge. */
  public static final int CLOSE_PARTITIONED = 4005;
  /** Too many unauthenticated sockets from the client's IP. */
  public static final int CLOSE_TOO_MANY_UNAUTHENTICATED = 4006;
  /** The socket's connection token expired (exp + leeway) and no fresh one came to socketpush.refresh. */
  public static final int CLOSE_TOKEN_EXPIRED = 4007;

  private static final AtomicLong IDS = new AtomicLong();

  private final long id = IDS.incrementAndGet();
  private final ClientIo io;
  private final EdgeNode node;
  private final Set<String> registered = new HashSet<>(4); // a few addresses per socket: not a 16-slot table each
  private String userId;
  /** What the backend said about this connection (a token's info claim); null when it said nothing (session auth). */
  private JsonObject info;
  /** Whether the user's attach on this node succeeded for this socket (it may register, receives). */
  private boolean attached;
  /** The timer closing the socket if it does not authenticate in time; -1 once cancelled. */
  long authTimer = -1;
  private boolean authenticating;
  /** Streams this socket resumed (null unless its auth frame carried positions). */
  private StreamCursors cursors;
  private boolean closed;
  private long lastFrameAt = System.currentTimeMillis();
  private long rateWindowStart;
  private int rateWindowFrames;
  private final long openedAt = System.currentTimeMillis();
  /** The IP this socket counts against while unauthenticated ({@link EdgeGuards}); null once it does not. */
  String pendingHost;
  /** Bytes written to the transport and not yet handed to the OS ({@link EdgeGuards}). */
  long queuedBytes;
  /** Whether the socket authenticated with a connection token (it may then refresh it). */
  private boolean byToken;
  /** The timer closing the socket when its token expires; -1 when none. */
  long expiryTimer = -1;

  ClientSession(ClientIo io, EdgeNode node) {
    this.io = io;
    this.node = node;
  }

  public long id() {
    return id;
  }

  /** The socket's transport (for tests). */
  ClientIo io() {
    return io;
  }

  /** The connection's info from the backend (a token's info claim), or null. */
  public JsonObject info() {
    return info;
  }

  /** Sets the connection's info (a token's info claim); null for none. Shown by channel.presence. */
  public void info(JsonObject info) {
    this.info = info;
  }

  public String userId() {
    return userId;
  }

  /** Authenticated: its session was checked and its user is attached on this node. */
  public boolean authenticated() {
    return userId != null && attached;
  }

  /** Whether the socket authenticated with a connection token. */
  public boolean byToken() {
    return byToken;
  }

  /** The socket authenticated (or refreshed) with a verified connection token. */
  void tokenAccepted(io.socketpush.auth.TokenVerifier.Claims claims) {
    byToken = true;
    if (claims.info() != null) {
      info = claims.info();
    }
  }

  /** The socket authenticated with a session again: it has no token (nor expiry) any more. */
  void sessionAccepted() {
    byToken = false;
  }

  long lastFrameAt() {
    return lastFrameAt;
  }

  long openedAt() {
    return openedAt;
  }

  Set<String> registered() {
    return registered;
  }

  /** Handles one frame from the client. */
  void onFrame(Buffer data) {
    long now = System.currentTimeMillis();
    lastFrameAt = now;
    if (closed) {
      return;
    }
    if (now - rateWindowStart >= 1_000) {
      rateWindowStart = now;
      rateWindowFrames = 0;
    }
    EdgeNode.Limits limits = node.limits(); // read once per frame
    if (++rateWindowFrames > limits.maxFramesPerSecond()) {
      if (rateWindowFrames == limits.maxFramesPerSecond() + 1) {
        error(null, Failure.LIMIT_EXCEEDED, "more than " + limits.maxFramesPerSecond() + " frames per second");
      }
      return; // dropped
    }
    if (data.length() > limits.maxFrameSize()) {
      error(null, Failure.LIMIT_EXCEEDED, "frame larger than " + limits.maxFrameSize() + " bytes");
      return;
    }
    JsonObject frame;
    try {
      frame = new JsonObject(data);
    } catch (DecodeException | ClassCastException e) {
      error(null, Failure.BAD_REQUEST, "frame is not a JSON object");
      return;
    }
    Object type = frame.getValue("type");
    Object address = frame.getValue("address");
    if (!(type instanceof String t)) {
      error(null, Failure.BAD_REQUEST, "frame has no type");
      return;
    }
    if ("ping".equals(t)) {
      return;
    }
    if (address != null && !(address instanceof String)) {
      error(null, Failure.BAD_REQUEST, "address must be a string");
      return;
    }
    String addr = (String) address;
    if (addr != null && addr.length() > limits.maxAddressLength()) {
      error(null, Failure.LIMIT_EXCEEDED, "address longer than " + limits.maxAddressLength());
      return;
    }
    switch (t) {
      case "send" -> onSend(addr, frame);
      case "register" -> onRegister(addr);
      case "unregister" -> {
        if (addr != null) {
          registered.remove(addr);
          node.unregistered(this, addr);
        }
      }
      case "publish" -> error(addr, Failure.ACCESS_DENIED, "publishing is not allowed");
      default -> error(addr, Failure.BAD_REQUEST, "unknown frame type");
    }
  }

  private void onSend(String addr, JsonObject frame) {
    Object reply = frame.getValue("replyAddress");
    String replyAddress = reply instanceof String s && s.length() <= node.limits().maxAddressLength() ? s : null;
    Object body = frame.getValue("body");
    Object token = body instanceof JsonObject b ? b.getValue("token") : null;
    if (Addresses.CLIENT_REFRESH.equals(addr)) {
      onRefresh(replyAddress, token);
      return;
    }
    if (Addresses.CLIENT_SUBSCRIBE.equals(addr)) {
      onSubscribeToken(replyAddress, token);
      return;
    }
    if (!Addresses.CLIENT_AUTH.equals(addr)) {
      error(addr, Failure.ACCESS_DENIED, "sending to " + addr + " is not allowed");
      return;
    }
    // ids are strings or integers, read exactly as the management API reads them (Validate.idText)
    String user = body instanceof JsonObject b ? Validate.idText(b.getValue("userId")) : null;
    String session = body instanceof JsonObject b ? Validate.idText(b.getValue("sessionId")) : null;
    if (token == null && (user == null || session == null)) {
      replyError(replyAddress, Failure.BAD_REQUEST,
          "auth body must be {\"userId\":..,\"sessionId\":..} (strings or integers) or {\"token\":\"<JWT>\"}");
      return;
    }
    if (token != null) {
      user = null; // a token names its user itself (sub), once verified
    }
    JsonObject b = (JsonObject) body;
    Map<String, Position> positions = null;
    if (b.getValue("positions") != null) {
      positions = positions(b.getValue("positions"));
      if (positions == null) {
        replyError(replyAddress, Failure.BAD_REQUEST, "positions must be an object {\"<stream>\": \"<epoch>:<offset>\"} of at most "
            + node.limits().maxRegistrations() + " streams");
        return;
      }
    }
    if (authenticating) {
      replyError(replyAddress, Failure.BAD_REQUEST, "authentication already in progress");
      return;
    }
    if (token == null && userId != null && !userId.equals(user)) {
      replyError(replyAddress, Failure.ACCESS_DENIED, "socket is authenticated as another user");
      return;
    }
    String ip = io.remoteHost();
    long wait = node.guards().authBlockedFor(ip, user);
    if (wait > 0) {
      node.clientError(this, Failure.RATE_LIMITED, "too many failed authentications: retry in " + wait + " ms");
      write(Failure.RATE_LIMITED.clientFrame(replyAddress, "too many failed authentications: retry in " + wait + " ms")
          .put("retryAfter", wait).encode());
      return;
    }
    authenticating = true;
    Map<String, Position> resume = positions;
    if (resume != null) {
      // from now until the replay is written, live deliveries of these streams wait on this socket
      if (cursors == null) {
        cursors = new StreamCursors();
      }
      resume.keySet().forEach(cursors::hold);
    }
    String checkedUser = user; // null for a token: its failures count against the IP only
    Future<Void> auth = token == null ? node.authenticate(this, user, session) : node.authenticateToken(this, token);
    auth.compose(v -> resume == null || closed ? Future.<StreamResume.Resumed>succeededFuture() : node.resume(this, resume))
        .onComplete(ar -> {
      authenticating = false;
      if (ar.failed() && Failure.AUTH_FAILED.is(ar.cause())) {
        node.guards().authFailed(ip, checkedUser);
      } else if (ar.succeeded()) {
        node.guards().authSucceeded(userId);
      }
      if (closed) {
        return;
      }
      if (ar.succeeded()) {
        JsonObject answer = new JsonObject().put("userId", userId);
        if (ar.result() != null) {
          answer.put("recovered", ar.result().recovered());
        }
        if (replyAddress != null) {
          write(EdgeOps.recFrame(replyAddress, answer).toString());
        }
        if (ar.result() != null) {
          ar.result().replay().run(); // after the reply: a client attaches its handlers when the reply arrives
        }
      } else {
        if (resume != null) {
          resume.keySet().forEach(stream -> cursors.drop(stream));
        }
        Failure f = Failure.of(ar.cause());
        replyError(replyAddress, f == Failure.INTERNAL ? Failure.UNAVAILABLE : f, Failure.messageOf(ar.cause()));
      }
    });
  }

  /** A fresh connection token for this socket's user: its expiry moves to the new token's exp. */
  private void onRefresh(String replyAddress, Object token) {
    if (!authenticated()) {
      replyError(replyAddress, Failure.ACCESS_DENIED, "authenticate first");
      return;
    }
    if (!byToken) {
      replyError(replyAddress, Failure.BAD_REQUEST, "only a socket authenticated with a token refreshes one");
      return;
    }
    if (token == null) {
      replyError(replyAddress, Failure.BAD_REQUEST, "refresh body must be {\"token\":\"<JWT>\"}");
      return;
    }
    answer(replyAddress, node.refresh(this, token), exp -> new JsonObject().put("userId", userId).put("exp", exp), f -> f);
  }

  /** Joins the private channel a subscription token names (the same subscription channel.subscribe makes). */
  private void onSubscribeToken(String replyAddress, Object token) {
    if (!authenticated()) {
      replyError(replyAddress, Failure.ACCESS_DENIED, "authenticate first");
      return;
    }
    if (token == null) {
      replyError(replyAddress, Failure.BAD_REQUEST, "subscribe body must be {\"token\":\"<JWT>\"}");
      return;
    }
    answer(replyAddress, node.subscribeWithToken(this, token), channel -> new JsonObject().put("channelId", channel),
        f -> f == Failure.INTERNAL ? Failure.UNAVAILABLE : f);
  }

  /**
   * Answers a request frame once {@code outcome} completes (nothing once the socket closed): a rec frame with
   * {@code body} of the result to the reply address (if any), or an err frame of the failure's kind as {@code kind} maps it.
   */
  private <T> void answer(String replyAddress, Future<T> outcome, Function<T, JsonObject> body, UnaryOperator<Failure> kind) {
    outcome.onComplete(ar -> {
      if (closed) {
        return;
      }
      if (ar.failed()) {
        replyError(replyAddress, kind.apply(Failure.of(ar.cause())), Failure.messageOf(ar.cause()));
      } else if (replyAddress != null) {
        write(EdgeOps.recFrame(replyAddress, body.apply(ar.result())).toString());
      }
    });
  }

  private void onRegister(String addr) {
    if (addr == null) {
      error(null, Failure.BAD_REQUEST, "register needs an address");
      return;
    }
    if (!authenticated()) {
      error(addr, Failure.ACCESS_DENIED, "authenticate first");
      return;
    }
    if (registered.contains(addr)) {
      return;
    }
    if (registered.size() >= node.limits().maxRegistrations()) {
      error(addr, Failure.LIMIT_EXCEEDED, "too many registrations on this socket");
      return;
    }
    if (node.mayRegister(this, addr)) {
      registered.add(addr);
    } else {
      error(addr, Failure.ACCESS_DENIED, "not allowed to register " + addr);
    }
  }

  /** The socket's session was checked and it joined {@code user} on this node (null: unauthenticated again). */
  void joined(String user) {
    this.userId = user;
    this.attached = false;
    if (user != null) {
      node.guards().notPending(this);
    }
  }

  /** The user's attach succeeded: the socket is authenticated. */
  void attached() {
    this.attached = userId != null;
  }

  /** Remote IP of the socket. */
  String remoteHost() {
    return io.remoteHost();
  }

  /** Closes the socket as a slow consumer (its own queue, or the node's budget, is full). */
  void closeSlow() {
    if (!closed) {
      node.slowConsumer(this);
      close(CLOSE_SLOW_CONSUMER, "slow_consumer");
    }
  }

  /** Reads the auth frame's positions; null when malformed or too many. */
  private Map<String, Position> positions(Object value) {
    if (!(value instanceof JsonObject o) || o.size() > node.limits().maxRegistrations()) {
      return null;
    }
    Map<String, Position> out = new LinkedHashMap<>();
    for (String stream : o.fieldNames()) {
      Position p = Position.parse(o.getValue(stream));
      if (p == null || stream.length() > node.limits().maxAddressLength()) {
        return null;
      }
      out.put(stream, p);
    }
    return out;
  }

  /** The streams this socket resumes or resumed; null when none. */
  StreamCursors cursors() {
    return cursors;
  }

  /**
   * Writes a live delivery of a stream message at {@code epoch:offset}: held back while the stream is being
   * replayed to this socket, dropped when the replay already wrote it. True when it counts as reached.
   */
  boolean deliver(String frame, String stream, String epoch, long offset) {
    if (cursors == null || closed) {
      return deliver(frame);
    }
    switch (cursors.offer(stream, frame, epoch, offset)) {
      case HELD, DUPLICATE -> {
        return true;
      }
      case OVERFLOW -> {
        node.slowConsumer(this);
        close(CLOSE_SLOW_CONSUMER, "slow_consumer");
        return false;
      }
      default -> {
        return deliver(frame);
      }
    }
  }

  /** Writes a pre-encoded frame; closes the socket as a slow consumer when its queue is full. */
  boolean deliver(String frame) {
    if (closed) {
      return false;
    }
    if (io.writeQueueFull()) {
      node.slowConsumer(this);
      close(CLOSE_SLOW_CONSUMER, "slow_consumer");
      return false;
    }
    io.write(frame);
    return true;
  }

  /** Closes the socket and drops it from the node at once (the transport may take a while to finish). */
  void close(int code, String reason) {
    if (!closed) {
      if (code != CLOSE_SLOW_CONSUMER) {
        // SockJS transports lose close codes: say why in a frame first (not to a full queue)
        io.write(Failure.clientFrame(null, code, reason, "connection closed by server: " + reason).encode());
      }
      closed = true;
      io.close(code, reason);
      node.closed(this);
    }
  }

  boolean closed() {
    return closed;
  }

  /** Called when the transport closed. */
  void markClosed() {
    closed = true;
  }

  private void write(String b) {
    if (!closed) {
      io.write(b);
    }
  }

  private void error(String address, Failure f, String message) {
    node.clientError(this, f, message);
    write(f.clientFrame(address, message).encode());
  }

  private void replyError(String replyAddress, Failure f, String message) {
    node.clientError(this, f, message);
    write(f.clientFrame(replyAddress, message).encode());
  }

  @Override
  public String toString() {
    return "socket#" + id + (userId != null ? "(user " + userId + ")" : "") + "@" + io.remote();
  }
}
