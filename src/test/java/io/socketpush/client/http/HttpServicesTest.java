package io.socketpush.client.http;

import static io.socketpush.testing.Await.failure;
import static io.socketpush.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.auth.AuthService;
import io.socketpush.channel.ChannelService;
import io.socketpush.testing.Await;
import io.socketpush.cluster.ClusterService;
import io.socketpush.error.Failure;
import io.socketpush.management.ApiCatalog;
import io.socketpush.message.PushMessage;
import io.socketpush.testing.FrameClient;
import io.socketpush.testing.TestNode;
import io.socketpush.user.UserService;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.ServerSocket;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java HTTP proxies against a live one-node server (not clustered): every method of every service,
 * results and failure codes as over the event bus.
 */
class HttpServicesTest {
  private static Vertx vertx;
  private static TestNode node;
  private static HttpApiClient api;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    node = result(TestNode.start(vertx, "http-client-node", null));
    api = HttpApiClient.create(vertx, "http://127.0.0.1:" + node.adminPort(), null);
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
    if (vertx != null) {
      result(vertx.close());
    }
  }

  /** Wraps a service so every method called on it is recorded as {@code service.method}. */
  private static <T> T recording(Class<T> iface, String service, T target, Set<String> called) {
    return iface.cast(Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface}, (p, m, args) -> {
      if (m.getDeclaringClass() != Object.class) {
        called.add(service + "." + m.getName());
      }
      try {
        return m.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }));
  }

  @Test
  void everyMethodOfEveryServiceOverHttp() {
    Set<String> called = new TreeSet<>();
    AuthService auth = recording(AuthService.class, "auth", new HttpAuthService(api), called);
    ChannelService channel = recording(ChannelService.class, "channel", api.channel(), called);
    UserService user = recording(UserService.class, "user", api.user(), called);
    ClusterService cluster = recording(ClusterService.class, "cluster", api.cluster(), called);
    String u = "u-" + UUID.randomUUID();
    String c = "c-" + UUID.randomUUID();

    // auth
    assertEquals(null, result(auth.set(u, "sess")));
    assertEquals(u, result(auth.check(u, "sess")));
    assertEquals(Failure.AUTH_FAILED, Failure.of(failure(auth.check(u, "wrong"))));
    Throwable bad = failure(auth.set("", "sess"));
    assertInstanceOf(ServiceException.class, bad);
    assertEquals(Failure.BAD_REQUEST, Failure.of(bad));
    assertTrue(bad.getMessage().contains("userId"), bad.getMessage());

    // user: offline first
    assertEquals(Failure.NOT_CONNECTED, Failure.of(failure(user.publish(u, PushMessage.of("nobody"), null))));
    assertEquals(List.of(), result(user.getFrontendServer(u)));

    // a connected client
    FrameClient fc = result(FrameClient.connect(vertx, node.edgePort()));
    JsonObject authReply = result(fc.auth(u, "sess"));
    assertEquals("rec", authReply.getString("type"), authReply.encode());
    assertEquals(List.of("http://127.0.0.1:" + node.edgePort()), result(user.getFrontendServer(u)));
    assertTrue(result(user.listAll(0, null)).items().contains(u));

    // channel
    assertEquals(null, result(channel.subscribe(u, c)));
    assertEquals(List.of(c), result(channel.getSubscriptions(u, 0, null)).items());
    assertEquals(List.of(u), result(channel.getSubscribers(c, 0, null)).items());
    assertTrue(result(channel.listAll(0, null)).items().contains(c));
    // presence over HTTP: the connected subscriber, no info with session auth
    Await.until(() -> result(channel.presenceStats(c)).getInteger("users") == 1, 10_000, "the subscriber is present");
    assertEquals(new JsonObject().put("users", 1).put("sockets", 1), result(channel.presenceStats(c)));
    JsonObject presence = result(channel.presence(c, null, 0));
    assertEquals(new io.vertx.core.json.JsonArray().add(new JsonObject().put("userId", u).put("sockets", 1).putNull("info")),
        presence.getJsonArray("items"), presence.encode());
    assertEquals(0, result(channel.presence(c, u, 10)).getJsonArray("items").size());
    assertEquals(Failure.BAD_REQUEST, Failure.of(failure(channel.presence(c, null, -1))));

    // publishing reaches the socket
    JsonObject hello = new JsonObject().put("text", "hello over http");
    io.socketpush.stream.PublishResult up = result(user.publish(u, PushMessage.of(hello), null));
    assertEquals(1, up.sockets());
    assertTrue(up.offset() >= 1, up.toString());
    JsonObject userFrame = result(fc.waitFor(f -> ("user." + u).equals(f.getString("address"))));
    assertEquals(hello, userFrame.getJsonObject("body"));
    assertEquals(new JsonObject().put("offset", String.valueOf(up.offset())).put("epoch", up.epoch()), userFrame.getJsonObject("headers"));
    io.socketpush.stream.PublishResult cp = result(channel.publish(c, PushMessage.of("breaking"), null));
    assertEquals(1, cp.sockets());
    assertEquals(1, cp.offset());
    JsonObject channelFrame = result(fc.waitFor(f -> ("channel." + c).equals(f.getString("address"))));
    assertEquals("breaking", channelFrame.getString("body"));
    assertEquals(new JsonObject().put("offset", "1").put("epoch", cp.epoch()), channelFrame.getJsonObject("headers"));
    assertEquals(Failure.BAD_REQUEST, Failure.of(failure(channel.publish(c, null, null))));
    assertEquals(Failure.BAD_REQUEST, Failure.of(failure(user.publish(u, null, null))));

    // unsubscribing
    assertEquals(null, result(channel.unsubscribe(u, c)));
    assertEquals(List.of(), result(channel.getSubscribers(c, 0, null)).items());
    io.socketpush.stream.PublishResult none = result(channel.publish(c, PushMessage.of("nobody listens"), null));
    assertEquals(0, none.sockets());
    assertEquals(2, none.offset()); // stored in the channel's stream all the same
    assertEquals(cp.epoch(), none.epoch());

    // an idempotent retry over HTTP
    io.socketpush.stream.PublishResult k1 = result(channel.publish(c, PushMessage.of("once"), "http-key"));
    io.socketpush.stream.PublishResult k2 = result(channel.publish(c, PushMessage.of("once"), "http-key"));
    assertEquals(k1.position(), k2.position());
    assertEquals(3, k1.offset());

    // history of both streams, over HTTP
    JsonObject ch = result(channel.history(c, null, 0));
    assertEquals(cp.epoch(), ch.getString("epoch"));
    assertEquals("3", ch.getString("top"));
    assertEquals(new io.vertx.core.json.JsonArray().add(new JsonObject().put("offset", "1").put("message", "breaking"))
        .add(new JsonObject().put("offset", "2").put("message", "nobody listens"))
        .add(new JsonObject().put("offset", "3").put("message", "once")), ch.getJsonArray("messages"));
    assertEquals(1, result(channel.history(c, "0", 1)).getJsonArray("messages").size());
    assertEquals(0, result(channel.history(c, "3", 0)).getJsonArray("messages").size());
    JsonObject uh = result(user.history(u, String.valueOf(up.offset() - 1), 5));
    assertEquals(hello, uh.getJsonArray("messages").getJsonObject(0).getJsonObject("message"));
    assertEquals(Failure.BAD_REQUEST, Failure.of(failure(channel.history(c, "not-a-number", 0))));
    assertEquals(Failure.BAD_REQUEST, Failure.of(failure(user.history(u, null, -1))));
    result(channel.subscribe(u, c + "-a"));
    result(channel.subscribe(u, c + "-b"));
    assertEquals(Set.of(c + "-a", c + "-b"), Set.copyOf(result(channel.getSubscriptions(u, 0, null)).items()));
    assertEquals(null, result(channel.unsubscribeAll(u)));
    assertEquals(List.of(), result(channel.getSubscriptions(u, 0, null)).items());

    // user.remove closes the socket
    assertEquals(1, result(user.remove(u)));
    result(fc.closed());
    Await.until(() -> result(user.getFrontendServer(u)).isEmpty(), 20_000, "the user is offline");
    assertFalse(result(user.listAll(0, null)).items().contains(u));

    // auth.remove
    assertEquals(null, result(auth.remove(u)));
    assertEquals(Failure.AUTH_FAILED, Failure.of(failure(auth.check(u, "sess"))));

    // cluster
    JsonObject status = result(cluster.status());
    assertEquals("http-client-node", status.getString("nodeId"));
    assertTrue(status.getJsonArray("nodes").stream().anyMatch(n -> "http-client-node".equals(((JsonObject) n).getString("nodeId"))),
        status.encode());
    assertEquals("http-client-node", result(cluster.getConfig(null)).getString("nodeId"));
    assertEquals("http-client-node", result(cluster.getConfig("")).getString("nodeId"));
    assertEquals(Failure.NOT_FOUND, Failure.of(failure(cluster.getConfig("no-such-node"))));
    JsonObject runtime = new JsonObject().put("edge", new JsonObject().put("authTimeout", 7000));
    assertEquals(runtime, result(cluster.setConfig(runtime)));
    Await.until(() -> result(cluster.getConfig(null)).getJsonObject("edge").getLong("authTimeout") == 7000L, 20_000,
        "the runtime config is applied");
    assertEquals(Failure.BAD_REQUEST, Failure.of(failure(cluster.setConfig(new JsonObject().put("edge",
        new JsonObject().put("port", 1))))));
    JsonObject distributed = result(cluster.distributeConfig());
    assertEquals(runtime, distributed.getJsonObject("config"));
    assertEquals(new JsonArray().add("http-client-node"), distributed.getJsonArray("nodes"));
    result(cluster.setConfig(new JsonObject().putNull("edge")));

    Set<String> all = new TreeSet<>();
    ApiCatalog.methods().forEach((s, ms) -> ms.keySet().forEach(m -> all.add(s + "." + m)));
    assertEquals(all, called, "every method of every service is called");
  }

  @Test
  void unreachableNodeIsUnavailable() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    HttpApiClient nowhere = HttpApiClient.create(vertx, "http://127.0.0.1:" + port, null);
    try {
      assertEquals(Failure.UNAVAILABLE, Failure.of(failure(nowhere.auth().set("1", "x"))));
    } finally {
      nowhere.close();
    }
  }

  /** Answers that are not the API's shape still map to the catalogue; a node that never answers is TIMEOUT. */
  @Test
  void oddAnswersMapToTheFailureCatalogue() {
    var server = result(vertx.createHttpServer().requestHandler(req -> {
      switch (req.path()) {
        case "/api/auth/check" -> req.response().setStatusCode(502).end("<html>bad gateway</html>");
        case "/api/auth/set" -> req.response().setStatusCode(418).end("{\"error\":{\"code\":\"TEAPOT\",\"message\":\"no\"}}");
        case "/api/auth/remove" -> { } // never answers
        case "/api/user/remove" -> req.response().end("{\"result\":\"not a number\"}");
        default -> req.response().setStatusCode(503).end("{\"error\":{\"code\":\"UNAVAILABLE\",\"message\":\"down\"}}");
      }
    }).listen(0, "127.0.0.1"));
    HttpApiClient odd = new HttpApiClient(io.vertx.ext.web.client.WebClient.create(vertx),
        "http://127.0.0.1:" + server.actualPort() + "/", null, 3_000);
    try {
      assertEquals(Failure.INTERNAL, Failure.of(failure(odd.auth().check("1", "s"))));
      assertEquals(Failure.INTERNAL, Failure.of(failure(odd.auth().set("1", "s"))));
      assertEquals(Failure.TIMEOUT, Failure.of(failure(odd.auth().remove("1"))));
      assertEquals(Failure.INTERNAL, Failure.of(failure(odd.user().remove("1"))));
      Throwable down = failure(odd.user().listAll(0, null));
      assertEquals(Failure.UNAVAILABLE, Failure.of(down));
      assertEquals("down", down.getMessage());
    } finally {
      result(server.close());
    }
  }

  @Test
  void baseUrlMustBeHttp() {
    assertThrows(IllegalArgumentException.class, () -> HttpApiClient.create(vertx, "127.0.0.1:8181", null));
  }
}
