package io.socketpush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The README's example cluster (conf/cluster/node1..3.json) as three JVMs on a private cluster name and
 * JGroups ports, this JVM as a client-only member, and a steady channel publish load with every
 * acknowledged sequence number recorded, for fault tests.
 */
final class ExampleCluster {
  final List<NodeProcess> nodes = new ArrayList<>();
  Vertx vertx;
  final Vertx local = Vertx.vertx();
  SocketPushClient client;
  final Http api1 = new Http(local, 8181);
  final Http api2 = new Http(local, 8182);
  /** Acknowledged publishes of the load: sequence number -> epoch millis of the acknowledgement. */
  final Map<Integer, Long> acked = new ConcurrentHashMap<>();
  /** Acknowledged publishes of the load: sequence number -> the position the owner answered ("epoch:offset"). */
  final Map<Integer, String> ackedAt = new ConcurrentHashMap<>();
  /** Publishes of the load: sequence number -> epoch millis of the call. */
  final Map<Integer, Long> sent = new ConcurrentHashMap<>();
  volatile int seq;
  /** Failed publishes of the load by message (printed when a wait times out). */
  final Map<String, Integer> publishFailures = new ConcurrentHashMap<>();
  private volatile boolean loading;

  /** The private cluster's name and first JGroups port (for extra JVMs joining, or failing to). */
  String name;
  int base;

  ExampleCluster start(String prefix) throws Exception {
    return start(prefix, null);
  }

  /** Starts the example cluster with {@code overlay} merged into every node's config (null: as shipped). */
  ExampleCluster start(String prefix, JsonObject overlay) throws Exception {
    name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    base = 41_000 + ThreadLocalRandom.current().nextInt(0, 90) * 100;
    nodes.addAll(NodeProcess.startExample(name, base, overlay));
    untilOrDump(() -> servers(api1).equals(Set.of("node1", "node2", "node3")) && servers(api2).equals(Set.of("node1", "node2", "node3")),
        60_000, "both APIs see three nodes");
    NodeProcess.joinFromThisJvm(name, base);
    vertx = Await.result(Vertx.builder().with(NodeProcess.clientOptions()).withClusterManager(new InfinispanClusterManager()).buildClustered(), 60_000);
    client = Await.result(SocketPush.connect(vertx, new JsonObject().put("clientId", prefix + "-client")), 30_000);
    if (capacityOf(vertx, "socketpush.streams") != 0f) {
      throw new AssertionError("this JVM must join as a client that owns no data (-Dsocketpush.cluster.capacity=0, pom.xml)");
    }
    return this;
  }

  /** The capacity factor this member gives {@code cache} (0: it owns none of its entries). */
  static float capacityOf(Vertx vertx, String cache) {
    var icm = (InfinispanClusterManager) ((io.vertx.core.internal.VertxInternal) vertx).clusterManager();
    var ecm = (org.infinispan.manager.EmbeddedCacheManager) icm.getCacheContainer();
    return ecm.getCacheConfiguration(cache).clustering().hash().capacityFactor();
  }

  /** {@link Await#until}, printing the tail of every node's log when it times out (CI keeps only the output). */
  void untilOrDump(java.util.function.BooleanSupplier condition, long timeoutMs, String what) {
    try {
      Await.until(condition, timeoutMs, what);
    } catch (AssertionError e) {
      nodes.forEach(n -> System.out.println("---- " + n.name + " (last log lines)\n" + n.tail()));
      long now = System.currentTimeMillis();
      System.out.println("---- load: " + seq + " published, " + acked.size() + " acknowledged, " + ackedBetween(now - 10_000, now).size()
          + " in the last 10 s; failures by message: " + publishFailures);
      throw e;
    }
  }

  NodeProcess node(int n) {
    return nodes.get(n - 1);
  }

  void stop() throws Exception {
    loading = false;
    NodeProcess.stopAll(nodes, vertx, local);
  }

  /**
   * The config overlay of the presence ITs: {@code graceMs} before a user goes offline, presence frames on
   * channels matching {@code channelMatch}, every event type to the webhook receiver at {@code receiverUrl}.
   */
  static JsonObject presenceOverlay(long graceMs, String channelMatch, String receiverUrl, String secret) {
    return new JsonObject()
        .put("edge", new JsonObject().put("removeUserAfterDisconnectTimeout", graceMs))
        .put("streams", new JsonObject().put("rules", new JsonArray()
            .add(new JsonObject().put("match", channelMatch).put("presence", true))))
        .put("events", new JsonObject().put("retryInitialDelay", 200).put("retryMaxDelay", 1_000).put("pollInterval", 100)
            .put("webhooks", new JsonArray().add(new JsonObject().put("url", receiverUrl)
                .put("events", new JsonArray(io.socketpush.config.EventsConfig.TYPES)).put("secret", secret))));
  }

  /** Gives each user a session "s" and subscribes it to {@code channel}, 60 s at most. */
  void sessionsAndSubscriptions(List<String> users, String channel) {
    List<io.vertx.core.Future<Void>> setup = new java.util.ArrayList<>();
    for (String u : users) {
      setup.add(client.auth().set(u, "s").compose(v -> client.channel().subscribe(u, channel)));
    }
    Await.result(io.vertx.core.Future.all(setup), 60_000);
  }

  /** Ids of the server nodes in the status of one management API (empty when it does not answer). */
  static Set<String> servers(Http api) {
    Set<String> ids = new TreeSet<>();
    try {
      JsonObject r = Await.result(api.call("cluster", "status", null), 5_000).body().getJsonObject("result");
      if (r != null) {
        r.getJsonArray("nodes").forEach(o -> {
          JsonObject d = (JsonObject) o;
          if (!d.getJsonArray("roles").isEmpty()) {
            ids.add(d.getString("nodeId"));
          }
        });
      }
    } catch (RuntimeException | AssertionError e) {
      // not answering right now
    }
    return ids;
  }

  FrameClient connect(int port, String user, String session) {
    FrameClient c = Await.result(FrameClient.connect(local, port));
    assertEquals("rec", Await.result(c.auth(user, session)).getString("type"));
    return c;
  }

  /** Publishes a sequence number on {@code channel} every 20 ms through the client member. */
  void startLoad(String channel) {
    loading = true;
    local.setPeriodic(20, t -> {
      if (!loading) {
        local.cancelTimer(t);
        return;
      }
      int n = seq++;
      sent.put(n, System.currentTimeMillis());
      client.channel().publish(channel, PushMessage.of(n), null).onComplete(ar -> {
        if (ar.succeeded()) {
          ackedAt.put(n, ar.result().epoch() + ":" + ar.result().offset());
          acked.put(n, System.currentTimeMillis());
        } else {
          publishFailures.merge(String.valueOf(ar.cause().getMessage()).replaceAll("__vertx\\.reply\\.[0-9a-f-]+", "reply"), 1, Integer::sum);
        }
      });
    });
  }

  void stopLoad() {
    loading = false;
  }

  static Set<Integer> received(FrameClient c, String channel) {
    Set<Integer> out = new TreeSet<>();
    c.framesFor("channel." + channel).forEach(f -> out.add((Integer) f.getValue("body")));
    return out;
  }

  /** Acknowledged sequence numbers in (from, to] epoch millis. */
  List<Integer> ackedBetween(long from, long to) {
    List<Integer> out = new ArrayList<>();
    acked.forEach((n, t) -> {
      if (t > from && t <= to) {
        out.add(n);
      }
    });
    return out;
  }

  /** Missing deliveries: acknowledged numbers in the window that a socket did not receive, summed over sockets. */
  long lost(List<Integer> published, List<FrameClient> sockets, String channel) {
    long lost = 0;
    for (FrameClient c : sockets) {
      Set<Integer> got = received(c, channel);
      List<String> missing = new ArrayList<>();
      for (int n : published) {
        if (!got.contains(n)) {
          lost++;
          missing.add(n + "@" + acked.get(n));
        }
      }
      if (!missing.isEmpty()) {
        System.out.println("[lost] socket " + c + " did not receive (seq@ackedAt): " + missing);
      }
    }
    return lost;
  }

  static long duplicates(List<FrameClient> sockets, String channel) {
    long dup = 0;
    for (FrameClient c : sockets) {
      List<io.vertx.core.json.JsonObject> frames = c.framesFor("channel." + channel); // one snapshot
      dup += frames.size() - frames.stream().map(f -> f.getValue("body")).distinct().count();
    }
    return dup;
  }

  /** The edges' stats for a failure dump (an unreachable edge prints its error instead). */
  void printEdgeStats(String prefix) {
    for (String edge : List.of("node1", "node3")) {
      try {
        Object stats = Await.result(vertx.eventBus().request("socketpush.edge." + edge, new JsonObject(),
            new io.vertx.core.eventbus.DeliveryOptions().addHeader("op", "stats")), 5_000).body();
        System.out.println(prefix + " edge " + edge + " stats: " + stats);
      } catch (RuntimeException | AssertionError x) {
        System.out.println(prefix + " edge " + edge + " stats: " + x);
      }
    }
  }
}
