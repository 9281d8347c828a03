package io.socketpush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.client.SocketPush;
import io.socketpush.client.SocketPushClient;
import io.socketpush.config.NodeConfig.Role;
import io.socketpush.error.Failure;
import io.socketpush.message.PushMessage;
import io.socketpush.testing.Await;
import io.socketpush.testing.FrameClient;
import io.socketpush.testing.Http;
import io.socketpush.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Three socket-push nodes with the example roles (n1 edge+management, n2 auth+user+channel+management,
 * n3 edge+channel+user), each in its own clustered Vert.x with the real Infinispan cluster manager, plus a
 * client-only member ({@link SocketPush}) in a fourth one, all in this JVM on a private cluster.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClusterTest {
  static InJvmCluster c;
  static TestNode n1;
  static TestNode n2;
  static TestNode n3;
  static Vertx clientVertx;
  static SocketPushClient client;
  static Vertx sockets;
  static long formationMs;

  @BeforeAll
  static void start() {
    long t0 = System.nanoTime();
    c = InJvmCluster.start(ClusterTest::roles);
    n1 = c.n1;
    n2 = c.n2;
    n3 = c.n3;
    clientVertx = c.instances.get(3);
    client = c.client;
    Await.until(() -> agree(Set.of("n1", "n2", "n3", "java-client")), 20_000, "every member sees all four");
    formationMs = (System.nanoTime() - t0) / 1_000_000;
    System.out.println("[measure] 4 clustered instances + 3 nodes + client formed in " + formationMs + " ms");
    sockets = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    if (sockets != null) {
      Await.result(sockets.close(), 30_000);
    }
    if (c != null) {
      c.stop();
    }
  }

  private static JsonObject roles(JsonArray roles) {
    return new JsonObject().put("roles", roles)
        .put("edge", new JsonObject().put("removeUserAfterDisconnectTimeout", 60_000))
        // the test counts event-bus messages per publish: a node's calls to its own roles take it too (no local calls)
        .put("cluster", new JsonObject().put("localCalls", false));
  }

  private static List<Membership> memberships() {
    return List.of(n1.verticle.services().membership(), n2.verticle.services().membership(),
        n3.verticle.services().membership());
  }

  private static boolean agree(Set<String> expected) {
    if (n1 == null || n2 == null || n3 == null) {
      return false;
    }
    Set<Long> versions = new TreeSet<>();
    for (Membership m : memberships()) {
      if (!m.nodes().keySet().equals(expected)) {
        return false;
      }
      versions.add(m.version());
    }
    return versions.size() == 1;
  }

  @Test
  @Order(1)
  void everyNodeReportsTheSameStatus() {
    Set<Long> versions = new TreeSet<>();
    Set<String> rings = new TreeSet<>();
    for (String node : List.of("n1", "n2", "n3")) {
      JsonObject s = Await.result(client.cluster(node).status());
      assertEquals(node, s.getString("nodeId"));
      versions.add(s.getLong("ringVersion"));
      rings.add(s.getJsonObject("rings").encode());
      List<String> ids = new ArrayList<>();
      s.getJsonArray("nodes").forEach(o -> ids.add(((JsonObject) o).getString("nodeId")));
      assertEquals(List.of("java-client", "n1", "n2", "n3"), ids);
    }
    assertEquals(1, versions.size(), "ring version agrees on every node: " + versions);
    assertEquals(1, rings.size(), "rings agree on every node: " + rings);
    Membership m = n1.verticle.services().membership();
    assertEquals(Set.of("n2"), m.ring(Role.AUTH).members());
    assertEquals(Set.of("n2", "n3"), m.ring(Role.USER).members());
    assertEquals(Set.of("n2", "n3"), m.ring(Role.CHANNEL).members());
    assertEquals(Set.of("n1", "n3"), m.ring(Role.EDGE).members());
  }

  @Test
  @Order(2)
  void theJavaClientUsesTheShardedServicesFromAnotherInstance() {
    Await.result(client.auth().set("client-user", "s1"));
    assertEquals("client-user", Await.result(n1.verticle.services().auth().check("client-user", "s1")));
    assertEquals(Failure.AUTH_FAILED, Failure.of(Await.failure(client.auth().check("client-user", "bad"))));
    for (int i = 0; i < 20; i++) {
      Await.result(client.channel().subscribe("client-user", "c" + i));
    }
    assertEquals(20, Await.result(n3.verticle.services().channel().getSubscriptions("client-user", 0, null)).items().size());
    assertEquals(List.of("client-user"), Await.result(client.channel().getSubscribers("c7", 0, null)).items());
    assertEquals(Failure.NOT_CONNECTED, Failure.of(Await.failure(client.user().publish("client-user", PushMessage.of("x"), null))));
    assertEquals(Set.of("n1", "n2", "n3"), client.serverNodes());
  }

  @Test
  @Order(3)
  void publishesReachSocketsOnBothEdgesThroughAnyNode() {
    Await.result(client.auth().set("u-a", "sa"));
    Await.result(client.auth().set("u-b", "sb"));
    FrameClient a = Await.result(FrameClient.connect(sockets, n1.edgePort()));
    FrameClient b = Await.result(FrameClient.connect(sockets, n3.edgePort()));
    assertEquals("rec", Await.result(a.auth("u-a", "sa")).getString("type"));
    assertEquals("rec", Await.result(b.auth("u-b", "sb")).getString("type"));
    Http admin1 = new Http(sockets, n1.adminPort());
    Http admin2 = new Http(sockets, n2.adminPort());
    try {
      assertEquals(200, Await.result(admin2.call("channel", "subscribe", new JsonObject().put("userId", "u-a").put("channelId", "news"))).status());
      assertEquals(200, Await.result(admin1.call("channel", "subscribe", new JsonObject().put("userId", "u-b").put("channelId", "news"))).status());
      Http.Response r = Await.result(admin1.call("user", "publish", new JsonObject().put("userId", "u-b").put("message", "to-b")));
      assertEquals(1, r.body().getJsonObject("result").getInteger("sockets"), r.body().encode());
      r = Await.result(admin2.call("user", "publish", new JsonObject().put("userId", "u-a").put("message", "to-a")));
      assertEquals(1, r.body().getJsonObject("result").getInteger("sockets"), r.body().encode());
      r = Await.result(admin1.call("channel", "publish", new JsonObject().put("channelId", "news").put("message", "both")));
      assertEquals(2, r.body().getJsonObject("result").getInteger("sockets"), r.body().encode());
      assertEquals(2, Await.result(client.channel().publish("news", PushMessage.of("from-client"), null)).sockets());
      Await.result(a.waitFor(f -> "user.u-a".equals(f.getString("address")) && "to-a".equals(f.getValue("body"))));
      Await.result(b.waitFor(f -> "user.u-b".equals(f.getString("address")) && "to-b".equals(f.getValue("body"))));
      Await.result(a.waitFor(f -> "channel.news".equals(f.getString("address")) && "both".equals(f.getValue("body"))));
      Await.result(b.waitFor(f -> "channel.news".equals(f.getString("address")) && "both".equals(f.getValue("body"))));
      assertEquals(List.of("http://127.0.0.1:" + n3.edgePort()), Await.result(client.user().getFrontendServer("u-b")));
    } finally {
      admin1.close();
      admin2.close();
      a.close();
      b.close();
    }
  }

  @Test
  @Order(4)
  void aChannelPublishToAThousandSubscribersOnTwoEdgesSendsOneMessagePerEdge() {
    int n = 1_000;
    List<Future<Void>> setup = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String u = "hot-" + i;
      setup.add(client.auth().set(u, "s").compose(v -> client.channel().subscribe(u, "hot")));
    }
    Await.result(Future.all(setup), 60_000);
    List<FrameClient> clients = new ArrayList<>();
    List<Future<JsonObject>> auths = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String u = "hot-" + i;
      int port = i % 2 == 0 ? n1.edgePort() : n3.edgePort();
      auths.add(FrameClient.connect(sockets, port).compose(c -> {
        synchronized (clients) {
          clients.add(c);
        }
        return c.auth(u, "s");
      }));
    }
    try {
      Await.result(Future.all(auths), 90_000);
      auths.forEach(f -> assertEquals("rec", f.result().getString("type")));
      assertEquals(n, Await.result(client.channel().getSubscribers("hot", 0, null)).items().size());

      c.sent.clear();
      c.counting = true;
      int reached = Await.result(client.channel().publish("hot", PushMessage.of("fan-out"), null)).sockets();
      c.counting = false;
      assertEquals(n, reached);
      for (FrameClient c : clients) {
        Await.result(c.waitFor(f -> "channel.hot".equals(f.getString("address")) && "fan-out".equals(f.getValue("body"))));
      }
      Map<String, Integer> counts = new java.util.TreeMap<>();
      c.sent.forEach((k, v) -> {
        // leave out background traffic that may fall into the window: heartbeats and anti-entropy
        if (!k.endsWith(Addresses.MEMBERSHIP) && !k.contains(" socketpush.presence.") && !k.contains(" socketpush.interest.")) {
          counts.put(k, v.get());
        }
      });
      System.out.println("[measure] event-bus messages of one channel.publish to " + n + " subscribers on two edges: " + counts);
      int deliveries = counts.entrySet().stream().filter(e -> e.getKey().contains(" " + Addresses.edgeInbox(""))).mapToInt(Map.Entry::getValue).sum();
      assertEquals(2, deliveries, "one delivery per edge: " + counts);
      assertEquals(1, counts.getOrDefault("vertx1 " + Addresses.edgeInbox("n1"), 0)
          + counts.getOrDefault("vertx2 " + Addresses.edgeInbox("n1"), 0), counts.toString());
      int total = counts.values().stream().mapToInt(Integer::intValue).sum();
      assertTrue(total <= 6, "request + 2 deliveries + replies, never O(subscribers): " + counts);
    } finally {
      Await.result(Future.join(clients.stream().map(FrameClient::close).toList()), 30_000);
    }
  }

  @Test
  @Order(5)
  void crossNodePublishLatency() {
    Await.result(client.auth().set("lat", "s"));
    FrameClient c = Await.result(FrameClient.connect(sockets, n3.edgePort()));
    try {
      Await.result(c.auth("lat", "s"));
      Await.result(client.channel().subscribe("lat", "lat-channel"));
      int rounds = 2_000;
      long[] userNs = new long[rounds];
      long[] channelNs = new long[rounds];
      for (int i = 0; i < rounds; i++) {
        if (i % 100 == 0) {
          c.send(new JsonObject().put("type", "ping")); // as real clients do: a slow run must not hit the idle timeout
        }
        long t = System.nanoTime();
        Await.result(client.user().publish("lat", PushMessage.of(i), null));
        userNs[i] = System.nanoTime() - t;
        t = System.nanoTime();
        Await.result(client.channel().publish("lat-channel", PushMessage.of(i), null));
        channelNs[i] = System.nanoTime() - t;
      }
      java.util.Arrays.sort(userNs);
      java.util.Arrays.sort(channelNs);
      System.out.printf("[measure] acknowledged publish from the client member, %d each: user.publish median %.2f ms p99 %.2f ms;"
              + " channel.publish median %.2f ms p99 %.2f ms%n", rounds, userNs[rounds / 2] / 1e6, userNs[rounds * 99 / 100] / 1e6,
          channelNs[rounds / 2] / 1e6, channelNs[rounds * 99 / 100] / 1e6);
      AtomicLong last = new AtomicLong();
      Await.result(c.waitFor(f -> "channel.lat-channel".equals(f.getString("address")) && Integer.valueOf(rounds - 1).equals(f.getValue("body"))));
      last.set(c.framesFor("user.lat").size());
      assertEquals(rounds, last.get());
      assertEquals(rounds, c.framesFor("channel.lat-channel").size());
    } finally {
      c.close();
    }
  }

  @Test
  @Order(6)
  void runtimeConfigIsStoredClusterWideAndAppliedByEveryNode() {
    JsonObject stored = Await.result(client.cluster("n2").setConfig(new JsonObject()
        .put("edge", new JsonObject().put("authTimeout", 4_321)).put("cluster", new JsonObject().put("listLimit", 777))));
    assertEquals(4_321, stored.getJsonObject("edge").getInteger("authTimeout"));
    for (String node : List.of("n1", "n2", "n3")) {
      Await.until(() -> Await.result(client.cluster("n1").getConfig(node)).getJsonObject("edge").getInteger("authTimeout") == 4_321,
          5_000, "authTimeout applied on " + node);
      assertEquals(777, Await.result(client.cluster("n3").getConfig(node)).getJsonObject("cluster").getInteger("listLimit"));
    }
    Throwable bad = Await.failure(client.cluster("n1").setConfig(new JsonObject().put("edge", new JsonObject().put("authTimeout", -5))));
    assertEquals(Failure.BAD_REQUEST, Failure.of(bad));
    assertTrue(bad.getMessage().contains("edge.authTimeout"), bad.getMessage());
    Throwable ports = Await.failure(client.cluster("n1").setConfig(new JsonObject().put("edge", new JsonObject().put("port", 1))));
    assertEquals(Failure.BAD_REQUEST, Failure.of(ports));
    JsonObject told = Await.result(client.cluster("n3").distributeConfig());
    assertEquals(4_321, told.getJsonObject("config").getJsonObject("edge").getInteger("authTimeout"));
    assertEquals(new JsonArray(List.of("java-client", "n1", "n2", "n3")), told.getJsonArray("nodes"));
    // back to defaults for whatever runs next
    Await.result(client.cluster("n2").setConfig(new JsonObject().putNull("edge").putNull("cluster"))); // null removes
    Await.until(() -> Await.result(client.cluster("n1").getConfig("n3")).getJsonObject("edge").getInteger("authTimeout") == 10_000,
        5_000, "defaults again");
  }

  @Test
  @Order(7)
  void aNodeThatLeavesIsDroppedEverywhereAndItsKeysMove() {
    long before = n1.verticle.services().membership().version();
    String user = "moving-user";
    Await.result(client.auth().set(user, "s"));
    Await.result(client.channel().subscribe(user, "moving-channel"));
    long t0 = System.nanoTime();
    Future<Void> closing = c.instances.remove(2).close(); // n3: edge+channel+user
    Await.until(() -> !n1.verticle.services().membership().nodes().containsKey("n3")
        && !n2.verticle.services().membership().nodes().containsKey("n3"), 10_000, "n3 dropped");
    System.out.println("[measure] graceful leave of n3 seen by the others after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    Await.result(closing, 60_000);
    assertFalse(n1.verticle.services().membership().version() == before);
    assertEquals(n1.verticle.services().membership().version(), n2.verticle.services().membership().version());
    assertEquals(Set.of("n2"), n1.verticle.services().membership().ring(Role.CHANNEL).members());
    // hard state survives: n2 now owns every channel and user
    assertEquals(user, Await.result(client.auth().check(user, "s")));
    assertEquals(List.of(user), Await.result(client.channel().getSubscribers("moving-channel", 0, null)).items());
    assertEquals(List.of("moving-channel"), Await.result(client.channel().getSubscriptions(user, 0, null)).items());
  }
}
