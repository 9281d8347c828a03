package io.socketpush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.client.SocketPush;
import io.socketpush.client.SocketPushClient;
import io.socketpush.message.PushMessage;
import io.socketpush.testing.Await;
import io.socketpush.testing.FrameClient;
import io.socketpush.testing.Http;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.cluster.infinispan.InfinispanClusterManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The README's local cluster: conf/cluster/node1..3.json as three JVMs from the fat jar with the real
 * Infinispan cluster manager (on a private cluster name and JGroups ports), plus this JVM as a client-only
 * member. node1 = edge+management (8080/8181), node2 = auth+user+channel+management (8182),
 * node3 = edge+channel+user (8083).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ThreeNodeClusterIT {
  static final List<NodeProcess> nodes = new ArrayList<>();
  static Vertx vertx;
  static Vertx local;
  static SocketPushClient client;
  static Http api1;
  static Http api2;
  static FrameClient alice;
  static FrameClient bob;
  static String clusterName;
  static int basePort;

  @BeforeAll
  static void start() throws Exception {
    clusterName = "sp-it-" + UUID.randomUUID().toString().substring(0, 8);
    basePort = 30_000 + ThreadLocalRandom.current().nextInt(0, 90) * 100;
    long t0 = System.nanoTime();
    // as a user would: the first node, then the others together
    nodes.addAll(NodeProcess.startExample(clusterName, basePort));
    local = Vertx.vertx();
    api1 = new Http(local, 8181);
    api2 = new Http(local, 8182);
    Await.until(() -> serverIds(Await.result(api1.call("cluster", "status", null)).body()).equals(Set.of("node1", "node2", "node3"))
        && serverIds(Await.result(api2.call("cluster", "status", null)).body()).equals(Set.of("node1", "node2", "node3")),
        60_000, "both APIs see three nodes");
    System.out.println("[measure] three node JVMs: cluster formed (both APIs see 3 nodes) " + (System.nanoTime() - t0) / 1_000_000
        + " ms after the processes were spawned");

    // this JVM joins the same cluster as a client-only member
    NodeProcess.joinFromThisJvm(clusterName, basePort);
    long t1 = System.nanoTime();
    vertx = Await.result(Vertx.builder().with(NodeProcess.clientOptions()).withClusterManager(new InfinispanClusterManager()).buildClustered(), 60_000);
    client = Await.result(SocketPush.connect(vertx, new JsonObject().put("clientId", "it-client")), 30_000);
    System.out.println("[measure] a client-only member joined in " + (System.nanoTime() - t1) / 1_000_000 + " ms");
  }

  @AfterAll
  static void stop() throws Exception {
    NodeProcess.stopAll(nodes, vertx, local);
  }

  private static Set<String> serverIds(JsonObject statusResponse) {
    Set<String> ids = new TreeSet<>();
    JsonObject result = statusResponse.getJsonObject("result");
    if (result != null) {
      result.getJsonArray("nodes").forEach(o -> {
        JsonObject d = (JsonObject) o;
        if (!d.getJsonArray("roles").isEmpty()) {
          ids.add(d.getString("nodeId"));
        }
      });
    }
    return ids;
  }

  private static JsonObject ok(Http api, String service, String method, JsonObject params) {
    Http.Response r = Await.result(api.call(service, method, params));
    assertEquals(200, r.status(), service + "." + method + ": " + r.body().encode());
    return r.body();
  }

  @Test
  @Order(1)
  void authThroughNode2AndSocketsOnNode1AndNode3() {
    ok(api2, "auth", "set", new JsonObject().put("userId", "1").put("sessionId", "test"));
    ok(api2, "auth", "set", new JsonObject().put("userId", "2").put("sessionId", "other"));
    alice = Await.result(FrameClient.connect(local, 8080));
    bob = Await.result(FrameClient.connect(local, 8083));
    assertEquals("rec", Await.result(alice.auth("1", "test")).getString("type"));
    assertEquals("rec", Await.result(bob.auth("2", "other")).getString("type"));
    assertEquals("err", Await.result(FrameClient.connect(local, 8083).compose(c -> c.auth("1", "wrong"))).getString("type"));
    ok(api1, "channel", "subscribe", new JsonObject().put("userId", "1").put("channelId", "news"));
    ok(api2, "channel", "subscribe", new JsonObject().put("userId", "2").put("channelId", "news"));
    Await.result(alice.register("user.1"));
    Await.result(alice.register("channel.news"));
    Await.result(bob.register("user.2"));
    Await.result(bob.register("channel.news"));
    assertEquals(new JsonArray().add("http://127.0.0.1:8083"),
        ok(api1, "user", "getFrontendServer", new JsonObject().put("userId", "2")).getJsonArray("result"));
  }

  @Test
  @Order(2)
  void userAndChannelPublishThroughEveryEntryPointReachBothEdges() {
    ok(api1, "user", "publish", new JsonObject().put("userId", "1").put("message", "u1-via-node1"));
    ok(api2, "user", "publish", new JsonObject().put("userId", "2").put("message", "u2-via-node2"));
    assertEquals(1, Await.result(client.user().publish("1", PushMessage.of("u1-via-client"), null)).sockets());
    assertEquals(2, ok(api1, "channel", "publish", new JsonObject().put("channelId", "news").put("message", "news-via-node1")).getJsonObject("result").getInteger("sockets"));
    assertEquals(2, ok(api2, "channel", "publish", new JsonObject().put("channelId", "news").put("message", "news-via-node2")).getJsonObject("result").getInteger("sockets"));
    assertEquals(2, Await.result(client.channel().publish("news", PushMessage.of("news-via-client"), null)).sockets());
    for (String body : List.of("u1-via-node1", "u1-via-client")) {
      Await.result(alice.waitFor(f -> "user.1".equals(f.getString("address")) && body.equals(f.getValue("body"))));
    }
    Await.result(bob.waitFor(f -> "user.2".equals(f.getString("address")) && "u2-via-node2".equals(f.getValue("body"))));
    for (String body : List.of("news-via-node1", "news-via-node2", "news-via-client")) {
      Await.result(alice.waitFor(f -> "channel.news".equals(f.getString("address")) && body.equals(f.getValue("body"))));
      Await.result(bob.waitFor(f -> "channel.news".equals(f.getString("address")) && body.equals(f.getValue("body"))));
    }
    // the original URL scheme too
    Http.Response legacy = Await.result(api2.request(io.vertx.core.http.HttpMethod.GET, "/user/publish/2/legacy", null, null));
    assertEquals(200, legacy.status(), legacy.body().encode());
    Await.result(bob.waitFor(f -> "user.2".equals(f.getString("address")) && "legacy".equals(f.getValue("body"))));
  }

  @Test
  @Order(3)
  void clusterStatusAgreesOnEveryNode() {
    List<JsonObject> all = List.of(ok(api1, "cluster", "status", null).getJsonObject("result"),
        ok(api2, "cluster", "status", null).getJsonObject("result"),
        Await.result(client.cluster("node3").status()));
    Set<Long> versions = new TreeSet<>();
    Set<String> rings = new TreeSet<>();
    Set<String> members = new TreeSet<>();
    for (JsonObject s : all) {
      versions.add(s.getLong("ringVersion"));
      rings.add(s.getJsonObject("rings").encode());
      List<String> ids = new ArrayList<>();
      s.getJsonArray("nodes").forEach(o -> ids.add(((JsonObject) o).getString("nodeId") + ((JsonObject) o).getJsonArray("roles").encode()));
      members.add(ids.toString());
    }
    assertEquals(1, versions.size(), "ring version: " + versions);
    assertEquals(1, rings.size(), "rings: " + rings);
    assertEquals(1, members.size(), "members: " + members);
    JsonObject rs = all.get(0).getJsonObject("rings");
    assertEquals(new JsonArray().add("node2"), rs.getJsonObject("auth").getJsonArray("members"));
    assertEquals(new JsonArray().add("node2").add("node3"), rs.getJsonObject("channel").getJsonArray("members"));
    assertEquals(new JsonArray().add("node2").add("node3"), rs.getJsonObject("user").getJsonArray("members"));
    JsonObject node1 = all.get(1).getJsonArray("nodes").stream().map(o -> (JsonObject) o)
        .filter(d -> "node1".equals(d.getString("nodeId"))).findFirst().orElseThrow();
    assertTrue(node1.getInteger("connections", 0) >= 1, node1.encode());
    assertEquals("http://127.0.0.1:8080", node1.getString("clientUrl"));
    assertEquals("http://127.0.0.1:8181", node1.getString("adminUrl"));
  }

  private void keepAlive() {
    alice.send(new JsonObject().put("type", "ping"));
    bob.send(new JsonObject().put("type", "ping"));
  }

  @Test
  @Order(4)
  void crossNodePublishLatency() {
    int rounds = 2_000;
    long[] viaClient = new long[rounds];
    long[] viaHttp = new long[rounds];
    for (int i = 0; i < rounds; i++) {
      if (i % 100 == 0) {
        keepAlive(); // as real clients do: a slow run must not hit the edge's idle timeout (pingTimeout)
      }
      String tag = "lat-" + i;
      long t = System.nanoTime();
      client.user().publish("1", PushMessage.of(tag), null);
      Await.result(alice.waitFor(f -> tag.equals(f.getValue("body"))));
      viaClient[i] = System.nanoTime() - t;
    }
    for (int i = 0; i < rounds; i++) {
      if (i % 100 == 0) {
        keepAlive();
      }
      String tag = "http-" + i;
      long t = System.nanoTime();
      api2.call("channel", "publish", new JsonObject().put("channelId", "news").put("message", tag));
      Await.result(alice.waitFor(f -> tag.equals(f.getValue("body"))));
      viaHttp[i] = System.nanoTime() - t;
    }
    Arrays.sort(viaClient);
    Arrays.sort(viaHttp);
    System.out.printf("[measure] publish -> frame on a node1 socket, %d sequential each, 3 JVMs + test JVM on loopback:%n"
            + "  user.publish from the client member (event bus): median %.2f ms, p99 %.2f ms%n"
            + "  channel.publish through node2's HTTP API: median %.2f ms, p99 %.2f ms%n", rounds,
        viaClient[rounds / 2] / 1e6, viaClient[rounds * 99 / 100] / 1e6, viaHttp[rounds / 2] / 1e6, viaHttp[rounds * 99 / 100] / 1e6);
    assertEquals(rounds, alice.frames().stream().filter(f -> String.valueOf(f.getValue("body")).startsWith("lat-")).count());
    Await.result(bob.waitFor(f -> ("http-" + (rounds - 1)).equals(f.getValue("body"))));
    assertEquals(rounds, bob.frames().stream().filter(f -> String.valueOf(f.getValue("body")).startsWith("http-")).count());
  }
}
