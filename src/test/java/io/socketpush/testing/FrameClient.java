package io.socketpush.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A raw WebSocket client speaking the event-bus bridge frames to {@code /eventbus/websocket}, recording
 * every frame it receives, for tests.
 */
public final class FrameClient {
  private final Vertx vertx;
  private final WebSocketClient client;
  private WebSocket ws;
  private final List<JsonObject> frames = new CopyOnWriteArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private volatile Integer closeCode;
  private volatile String closeReason;
  private final Promise<Void> closed = Promise.promise();
  private volatile String name = "socket";
  private volatile java.util.function.Consumer<JsonObject> listener;

  @Override
  public String toString() {
    return name;
  }

  private record Waiter(Predicate<JsonObject> match, Promise<JsonObject> promise) {
  }

  private FrameClient(Vertx vertx) {
    this(vertx, new io.vertx.core.http.WebSocketClientOptions());
  }

  private FrameClient(Vertx vertx, io.vertx.core.http.WebSocketClientOptions options) {
    this.vertx = vertx;
    this.client = vertx.createWebSocketClient(options);
  }

  /**
   * Connects from a given local address (e.g. 127.0.0.2: a second client IP on loopback) with client options
   * of the test's choosing (small receive buffers for slow consumers...).
   */
  public static Future<FrameClient> connectWith(Vertx vertx, int port, io.vertx.core.http.WebSocketClientOptions options) {
    return open(new FrameClient(vertx, options), "127.0.0.1", port, null);
  }

  /** Connects to an edge on 127.0.0.1. */
  public static Future<FrameClient> connect(Vertx vertx, int port) {
    return connect(vertx, port, null);
  }

  /** Connects with an Origin header (null for none). */
  public static Future<FrameClient> connect(Vertx vertx, int port, String origin) {
    return connect(vertx, "127.0.0.1", port, origin);
  }

  /** Connects to an edge at {@code host} (e.g. a node in a network namespace the test created). */
  public static Future<FrameClient> connect(Vertx vertx, String host, int port, String origin) {
    return open(new FrameClient(vertx), host, port, origin);
  }

  private static Future<FrameClient> open(FrameClient c, String host, int port, String origin) {
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost(host).setPort(port).setURI("/eventbus/websocket");
    if (origin != null) {
      o.addHeader("Origin", origin);
    }
    return c.client.connect(o).map(ws -> {
      c.ws = ws;
      ws.textMessageHandler(t -> c.onFrame(new JsonObject(t)));
      ws.closeHandler(v -> {
        c.closeCode = ws.closeStatusCode() == null ? null : (int) ws.closeStatusCode();
        c.closeReason = ws.closeReason();
        c.closed.tryComplete();
      });
      return c;
    });
  }

  private synchronized void onFrame(JsonObject f) {
    frames.add(f);
    if (listener != null) {
      listener.accept(f);
    }
    waiters.removeIf(w -> {
      if (w.match().test(f)) {
        w.promise().tryComplete(f);
        return true;
      }
      return false;
    });
  }

  /** Calls {@code l} with every frame received from now on, in order, on the socket's event loop. */
  public void listen(java.util.function.Consumer<JsonObject> l) {
    listener = l;
  }

  /** Completes with the first received frame (past or future) matching {@code p}. */
  public synchronized Future<JsonObject> waitFor(Predicate<JsonObject> p) {
    for (JsonObject f : frames) {
      if (p.test(f)) {
        return Future.succeededFuture(f);
      }
    }
    Promise<JsonObject> pr = Promise.promise();
    waiters.add(new Waiter(p, pr));
    return pr.future();
  }

  /** Sends a raw text frame. */
  public Future<Void> sendText(String text) {
    return ws.writeTextMessage(text);
  }

  /** Sends a frame as a binary message (SockJS's raw transport reads those as frames too). */
  public Future<Void> sendBinary(JsonObject frame) {
    return ws.writeBinaryMessage(frame.toBuffer());
  }

  public Future<Void> send(JsonObject frame) {
    return ws.writeTextMessage(frame.encode());
  }

  /** Authenticates; completes with the reply frame ({@code rec} or {@code err}). */
  public Future<JsonObject> auth(String userId, String sessionId) {
    return auth(userId, sessionId, null);
  }

  /**
   * Authenticates, resuming the streams of {@code positions} ({@code {"channel.x": "epoch:offset"}}, null or empty:
   * none); completes with the reply frame ({@code rec}, whose body's {@code recovered} tells per stream, or {@code err}).
   */
  public Future<JsonObject> auth(String userId, String sessionId, JsonObject positions) {
    name = userId + "@" + (ws == null ? "?" : ws.remoteAddress());
    JsonObject body = new JsonObject().put("userId", userId).put("sessionId", sessionId);
    if (positions != null && !positions.isEmpty()) {
      body.put("positions", positions);
    }
    return request("socketpush.auth", body);
  }

  /** Authenticates with a connection token; completes with the reply frame ({@code rec} or {@code err}). */
  public Future<JsonObject> authToken(String token) {
    name = "token@" + (ws == null ? "?" : ws.remoteAddress());
    return request("socketpush.auth", new JsonObject().put("token", token));
  }

  /** A {@code send} with a reply address; completes with the reply frame ({@code rec} or {@code err}). */
  public Future<JsonObject> request(String address, Object body) {
    String reply = UUID.randomUUID().toString();
    return send(new JsonObject().put("type", "send").put("address", address).put("replyAddress", reply).put("body", body))
        .compose(v -> waitFor(f -> reply.equals(f.getString("address"))));
  }

  public Future<Void> register(String address) {
    return send(new JsonObject().put("type", "register").put("address", address));
  }

  /** Frames received with a given address. */
  public List<JsonObject> framesFor(String address) {
    return frames.stream().filter(f -> address.equals(f.getString("address"))).toList();
  }

  /** The join/leave frames of {@code user} this socket got on {@code channel.<ch>}, in order ("join", "leave", ...). */
  public List<String> presenceFrames(String ch, String user) {
    List<String> out = new java.util.ArrayList<>();
    for (JsonObject f : framesFor("channel." + ch)) {
      JsonObject h = f.getJsonObject("headers");
      if (h != null && h.getString("presence") != null && user.equals(h.getString("userId"))) {
        out.add(h.getString("presence"));
      }
    }
    return out;
  }

  public List<JsonObject> frames() {
    return List.copyOf(frames);
  }

  /** Completes when the server closed the socket. */
  public Future<Void> closed() {
    return closed.future();
  }

  public Integer closeCode() {
    return closeCode;
  }

  public String closeReason() {
    return closeReason;
  }

  public Future<Void> close() {
    return (ws == null ? Future.<Void>succeededFuture() : ws.close().recover(e -> Future.succeededFuture()))
        .compose(v -> client.close().recover(e -> Future.succeededFuture()));
  }

  /** Pauses reading from the socket (a slow consumer). */
  public void pause() {
    ws.pause();
  }
}
