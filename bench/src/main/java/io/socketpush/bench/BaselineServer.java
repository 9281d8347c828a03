package io.socketpush.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The baseline the benchmark compares socket-push with: the least a Vert.x WebSocket server must do to
 * serve the same load generator. One verticle (one event loop), plain maps, no cluster, no event bus, no
 * validation, no auth check, no sharding. It speaks just enough of the protocol: an auth {@code send} gets a
 * {@code rec} reply and puts the socket in its user's and channels' sets; {@code POST /api/user/publish}
 * and {@code /api/channel/publish} encode the {@code rec} frame once and write the same buffer to every
 * socket, as binary WebSocket messages like socket-push's raw-WebSocket SockJS transport does;
 * {@code /api/auth/set} is accepted and ignored; {@code /api/channel/subscribe} records the subscription.
 *
 * <p>Run: {@code java -cp bench/target/socket-push-bench.jar:target/socket-push.jar io.socketpush.bench.BaselineServer
 * [edgePort] [adminPort]}.
 */
public final class BaselineServer extends VerticleBase {
  private final int edgePort;
  private final int adminPort;
  private final Map<String, Set<ServerWebSocket>> users = new HashMap<>();
  private final Map<String, Set<String>> subscriptions = new HashMap<>();
  private final Map<String, Set<ServerWebSocket>> channels = new HashMap<>();
  private final Map<ServerWebSocket, String> userOf = new IdentityHashMap<>();
  private HttpServer edge;
  private HttpServer admin;

  public BaselineServer(int edgePort, int adminPort) {
    this.edgePort = edgePort;
    this.adminPort = adminPort;
  }

  public static void main(String[] args) {
    int edgePort = args.length > 0 ? Integer.parseInt(args[0]) : 18090;
    int adminPort = args.length > 1 ? Integer.parseInt(args[1]) : 18191;
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(new BaselineServer(edgePort, adminPort)).onComplete(ar -> {
      if (ar.succeeded()) {
        System.out.println("baseline listening: clients on 127.0.0.1:" + edgePort + ", api on 127.0.0.1:" + adminPort);
      } else {
        System.err.println("baseline failed to start: " + ar.cause());
        vertx.close();
      }
    });
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(edgePort)
            .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false))
        .webSocketHandler(this::onSocket).listen()
        .compose(e -> {
          edge = e;
          return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(adminPort))
              .requestHandler(this::onApi).listen();
        })
        .onSuccess(a -> admin = a);
  }

  public int edgePort() {
    return edge.actualPort();
  }

  public int adminPort() {
    return admin.actualPort();
  }

  private void onSocket(ServerWebSocket ws) {
    if (!"/eventbus/websocket".equals(ws.path())) {
      ws.close((short) 1008, "unknown path");
      return;
    }
    ws.handler(b -> onFrame(ws, b));
    ws.closeHandler(v -> closed(ws));
  }

  private void onFrame(ServerWebSocket ws, Buffer b) {
    JsonObject f;
    try {
      f = b.toJsonObject();
    } catch (RuntimeException e) {
      return;
    }
    if (!"send".equals(f.getString("type")) || !(f.getValue("body") instanceof JsonObject body)) {
      return; // ping, register, ...: nothing to do in the baseline
    }
    String user = String.valueOf(body.getValue("userId"));
    userOf.put(ws, user);
    users.computeIfAbsent(user, k -> new HashSet<>()).add(ws);
    for (String c : subscriptions.getOrDefault(user, Set.of())) {
      channels.computeIfAbsent(c, k -> Collections.newSetFromMap(new IdentityHashMap<>())).add(ws);
    }
    ws.writeBinaryMessage(new JsonObject().put("type", "rec").put("address", f.getString("replyAddress"))
        .put("body", new JsonObject().put("userId", user)).toBuffer());
  }

  private void closed(ServerWebSocket ws) {
    String user = userOf.remove(ws);
    if (user == null) {
      return;
    }
    Set<ServerWebSocket> own = users.get(user);
    if (own != null) {
      own.remove(ws);
    }
    for (String c : subscriptions.getOrDefault(user, Set.of())) {
      Set<ServerWebSocket> s = channels.get(c);
      if (s != null) {
        s.remove(ws);
      }
    }
  }

  private void onApi(HttpServerRequest req) {
    req.body().onSuccess(b -> {
      JsonObject p;
      try {
        p = b.length() == 0 ? new JsonObject() : b.toJsonObject();
      } catch (RuntimeException e) {
        reply(req, 400, new JsonObject().put("error", new JsonObject().put("code", "BAD_REQUEST")));
        return;
      }
      switch (req.path()) {
        case "/api/auth/set" -> reply(req, 200, new JsonObject().putNull("result"));
        case "/api/channel/subscribe" -> {
          String user = p.getString("userId");
          String channel = p.getString("channelId");
          subscriptions.computeIfAbsent(user, k -> new HashSet<>()).add(channel);
          for (ServerWebSocket ws : users.getOrDefault(user, Set.of())) {
            channels.computeIfAbsent(channel, k -> Collections.newSetFromMap(new IdentityHashMap<>())).add(ws);
          }
          reply(req, 200, new JsonObject().putNull("result"));
        }
        case "/api/user/publish" -> {
          String user = p.getString("userId");
          int n = write(users.get(user), "user." + user, p.getValue("message"));
          if (n == 0) {
            reply(req, 404, new JsonObject().put("error", new JsonObject().put("code", "NOT_CONNECTED")));
          } else {
            reply(req, 200, new JsonObject().put("result", n));
          }
        }
        case "/api/channel/publish" -> {
          String channel = p.getString("channelId");
          reply(req, 200, new JsonObject().put("result", write(channels.get(channel), "channel." + channel, p.getValue("message"))));
        }
        case "/heartbeat" -> reply(req, 200, new JsonObject().put("status", "ok"));
        default -> reply(req, 404, new JsonObject().put("error", new JsonObject().put("code", "NOT_FOUND")));
      }
    });
  }

  /** Encodes the frame once and writes the same buffer to every socket; a full queue closes the socket. */
  private int write(Set<ServerWebSocket> sockets, String address, Object message) {
    if (sockets == null || sockets.isEmpty()) {
      return 0;
    }
    Buffer frame = new JsonObject().put("type", "rec").put("address", address).put("body", message).toBuffer();
    int n = 0;
    for (ServerWebSocket ws : sockets.toArray(new ServerWebSocket[0])) {
      if (ws.writeQueueFull()) {
        ws.close((short) 4002, "slow_consumer");
        continue;
      }
      ws.writeBinaryMessage(frame);
      n++;
    }
    return n;
  }

  private static void reply(HttpServerRequest req, int status, JsonObject body) {
    req.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }

  @Override
  public Future<?> stop() {
    return Future.join(edge == null ? Future.succeededFuture() : edge.close(),
        admin == null ? Future.succeededFuture() : admin.close());
  }
}
