package io.socketpush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.client.SocketPush;
import io.socketpush.client.SocketPushClient;
import io.socketpush.message.PushMessage;
import io.socketpush.testing.Await;
import io.socketpush.testing.FrameClient;
import io.socketpush.testing.Http;
import io.vertx.core.Future;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Fault test on the example cluster (three JVMs from the fat jar, real Infinispan): under a steady channel
 * publish load, SIGKILL node3 (edge+channel+user), then restart it with the same config. Measures and
 * checks detection time, time until delivery resumed, hard-state entries lost, reconnection of the killed
 * edge's clients, and presence without stale entries; and counts the deliveries over the <b>whole run</b> for
 * every client ({@link ClientChain}: the killed edge's clients reconnect to the other edge with the position
 * they reached, as the JS client does): every publish acknowledged since a client's first socket arrived once and
 * in order, or the server said it could not (recovered:false, which fails the test: the history covers the run).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NodeKillIT {
  static final int USERS = 20;
  static final int CHANNELS = 10;
  static final List<NodeProcess> nodes = new ArrayList<>();
  static Vertx vertx;
  static Vertx local;
  static SocketPushClient client;
  static Http api1;
  static Http api2;
  static final String STREAM = "channel.load";
  static final List<ClientChain> onNode1 = new ArrayList<>();
  static final List<ClientChain> onNode3 = new ArrayList<>();
  /** Acknowledged publishes: sequence number -> epoch millis of the acknowledgement. */
  static final Map<Integer, Long> acked = new ConcurrentHashMap<>();
  /** Acknowledged publishes: sequence number -> the position the owner answered ("epoch:offset"). */
  static final Map<Integer, String> ackedAt = new ConcurrentHashMap<>();
  /** Publishes: sequence number -> epoch millis of the call. */
  static final Map<Integer, Long> sent = new ConcurrentHashMap<>();
  static volatile boolean loading;
  static volatile int seq;
  static long periodic = -1;
  static long killedAt;

  @BeforeAll
  static void start() throws Exception {
    String name = "sp-fault-" + UUID.randomUUID().toString().substring(0, 8);
    int base = 40_000 + ThreadLocalRandom.current().nextInt(0, 90) * 100;
    // the load channel's history covers the whole run (50 publishes/s), so every reconnect can resume
    nodes.addAll(NodeProcess.startExample(name, base, new JsonObject().put("streams", new JsonObject().put("rules",
        new JsonArray().add(new JsonObject().put("match", STREAM).put("historySize", 20_000).put("historyTtl", 600_000))))));
    local = Vertx.vertx();
    api1 = new Http(local, 8181);
    api2 = new Http(local, 8182);
    Await.until(() -> servers(api1).equals(Set.of("node1", "node2", "node3")) && servers(api2).equals(Set.of("node1", "node2", "node3")),
        60_000, "both APIs see three nodes");
    NodeProcess.joinFromThisJvm(name, base);
    vertx = Await.result(Vertx.builder().with(NodeProcess.clientOptions()).withClusterManager(new InfinispanClusterManager()).buildClustered(), 60_000);
    client = Await.result(SocketPush.connect(vertx, new JsonObject().put("clientId", "fault-client")), 30_000);
  }

  @AfterAll
  static void stop() throws Exception {
    loading = false;
    NodeProcess.stopAll(nodes, vertx, local);
  }

  /** Publishes a sequence number on "load" every 20 ms while {@code loading}, recording acknowledgements. */
  static void startLoad() {
    periodic = local.setPeriodic(20, t -> {
      if (!loading) {
        local.cancelTimer(t);
        return;
      }
      int n = seq++;
      sent.put(n, System.currentTimeMillis());
      client.channel().publish("load", PushMessage.of(n), null).onSuccess(r -> {
        ackedAt.put(n, r.epoch() + ":" + r.offset());
        acked.put(n, System.currentTimeMillis());
      });
    });
  }

  static Set<String> servers(Http api) {
    return ExampleCluster.servers(api);
  }

  static String user(int i) {
    return "fu" + i;
  }

  static FrameClient connect(int port, int i) {
    FrameClient c = Await.result(FrameClient.connect(local, port));
    assertEquals("rec", Await.result(c.auth(user(i), "s" + i)).getString("type"));
    return c;
  }

  static Set<Integer> received(FrameClient c) {
    Set<Integer> out = new TreeSet<>();
    c.framesFor("channel.load").forEach(f -> out.add((Integer) f.getValue("body")));
    return out;
  }

  static Set<Integer> received(ClientChain c) {
    return new TreeSet<>(c.received());
  }

  static List<ClientChain> everyClient() {
    List<ClientChain> all = new ArrayList<>(onNode1);
    all.addAll(onNode3);
    return all;
  }

  /** The deliveries of the whole run so far, for every client (waits, bounded, for the last ones to arrive). */
  static ClientChain.Ledger wholeRun() {
    ClientChain.Ledger l = ClientChain.settle(everyClient(), sent, acked, ackedAt, 30_000);
    System.out.println("[measure] load over the whole run so far, every client: " + l);
    return l;
  }


  @Test
  @Order(1)
  void setUpUsersSubscriptionsAndLoad() {
    List<Future<Void>> writes = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      String u = user(i);
      writes.add(client.auth().set(u, "s" + i).compose(v -> client.channel().subscribe(u, "load")));
      for (int c = 0; c < CHANNELS; c++) {
        writes.add(client.channel().subscribe(u, "c" + c));
      }
    }
    Await.result(Future.all(writes), 60_000);
    for (int i = 0; i < USERS; i++) {
      (i % 2 == 0 ? onNode1 : onNode3).add(ClientChain.open(local, i % 2 == 0 ? 8080 : 8083, user(i), "s" + i, STREAM));
    }
    loading = true;
    startLoad();
    Await.until(() -> acked.size() > 50, 30_000, "steady load");
    for (ClientChain c : onNode1) {
      assertTrue(received(c).size() > 40, "load reaches node1's sockets");
    }
  }

  @Test
  @Order(2)
  void sigkillOfNode3LosesNoEntryAndNoMessageForUsersOnNode1() throws Exception {
    killedAt = System.currentTimeMillis();
    nodes.get(2).kill();
    Await.until(() -> !client.serverNodes().contains("node3"), 30_000, "node3 dropped by the client member");
    long seenByClient = System.currentTimeMillis();
    Await.until(() -> !servers(api1).contains("node3") && !servers(api2).contains("node3"), 30_000, "node3 dropped");
    long detectedAt = System.currentTimeMillis();
    // delivery resumed: the first publish acknowledged after the kill that every node1 socket received
    Await.until(() -> acked.keySet().stream().anyMatch(n -> acked.get(n) > detectedAt + 200), 30_000, "acknowledged publishes again");
    long[] resumed = {-1};
    Await.until(() -> {
      acked.entrySet().stream().filter(e -> e.getValue() > killedAt)
          .filter(e -> onNode1.stream().allMatch(c -> received(c).contains(e.getKey())))
          .mapToLong(Map.Entry::getValue).min().ifPresent(t -> resumed[0] = t);
      return resumed[0] > 0;
    }, 15_000, "delivery resumed on node1");
    long resumedAt = resumed[0];

    // clients of the killed edge reconnect to node1 with their positions and receive again
    Await.until(() -> onNode3.stream().allMatch(ClientChain::closed), 30_000, "node3's sockets closed");
    long reconnectStart = System.currentTimeMillis();
    for (ClientChain c : onNode3) {
      assertTrue(c.reconnect(local, 8080), c.user + " reconnected to node1");
    }
    int probe = seq + 5;
    Await.until(() -> onNode3.stream().allMatch(c -> received(c).stream().anyMatch(n -> n >= probe)), 20_000, "moved clients receive");
    long reconnectMs = System.currentTimeMillis() - reconnectStart;

    Thread.sleep(3_000); // more load after the failover
    ClientChain.Ledger l = wholeRun();

    // hard state: every session and every subscription is still there
    int entries = 0;
    int entriesLost = 0;
    for (int i = 0; i < USERS; i++) {
      entries++;
      if (!user(i).equals(Await.result(client.auth().check(user(i), "s" + i).otherwise("")))) {
        entriesLost++;
      }
      List<String> subs = Await.result(client.channel().getSubscriptions(user(i), 0, null)).items();
      for (int c = 0; c < CHANNELS; c++) {
        entries++;
        entriesLost += subs.contains("c" + c) ? 0 : 1;
      }
      entries++;
      entriesLost += subs.contains("load") ? 0 : 1;
    }
    System.out.printf("[measure] SIGKILL node3 (edge+channel+user) at %d: out of the client member's rings after %d ms,"
            + " of both APIs' status after %d ms; delivery to node1's"
            + " sockets resumed %d ms after the kill; killed edge's clients reconnected to node1 with their positions and"
            + " received again in %d ms; whole run: %s; entries lost %d of %d%n",
        killedAt, seenByClient - killedAt, detectedAt - killedAt, resumedAt - killedAt, reconnectMs, l, entriesLost, entries);
    assertEquals(0, entriesLost, "no session or subscription lost");
    ClientChain.assertClean(l);
    // presence: users of node3 are now only on node1
    for (int i = 1; i < USERS; i += 2) {
      assertEquals(new JsonArray().add("http://127.0.0.1:8080"),
          new JsonArray(Await.result(client.user().getFrontendServer(user(i)))), "presence of " + user(i));
    }
  }

  @Test
  @Order(3)
  void node3RestartsWithTheSameIdAndServesAgain() throws Exception {
    long t0 = System.currentTimeMillis();
    nodes.get(2).start();
    NodeProcess.awaitHttp(8083, "/eventbus/info", 120_000);
    Await.until(() -> servers(api1).contains("node3") && servers(api2).contains("node3"), 60_000, "node3 back");
    long back = System.currentTimeMillis() - t0;
    Await.until(() -> {
      JsonObject s1 = Await.result(api1.call("cluster", "status", null)).body().getJsonObject("result");
      JsonObject s2 = Await.result(api2.call("cluster", "status", null)).body().getJsonObject("result");
      JsonObject s3 = Await.result(client.cluster("node3").status());
      return s1.getLong("ringVersion").equals(s2.getLong("ringVersion")) && s2.getLong("ringVersion").equals(s3.getLong("ringVersion"));
    }, 20_000, "status agrees on every node");
    FrameClient again = connect(8083, 1);
    int probe = seq + 5;
    Await.until(() -> received(again).stream().anyMatch(n -> n >= probe), 20_000, "a socket on the restarted node3 receives");
    assertEquals(Set.of("http://127.0.0.1:8080", "http://127.0.0.1:8083"),
        new TreeSet<>(Await.result(client.user().getFrontendServer(user(1)))));
    assertEquals(new JsonArray().add("http://127.0.0.1:8080"), new JsonArray(Await.result(client.user().getFrontendServer(user(3)))));
    System.out.printf("[measure] node3 restarted with the same config: back in every node's status %d ms after the process started%n", back);
    loading = false;
  }

  @Test
  @Order(4)
  void sigtermOfNode3LeavesGracefullyAndLosesNothing() throws Exception {
    FrameClient onTerminated = connect(8083, 1);
    loading = true;
    int from = seq;
    startLoad();
    Await.until(() -> acked.keySet().stream().filter(n -> n >= from).count() > 50, 30_000, "steady load again");

    long termAt = System.currentTimeMillis();
    nodes.get(2).signal("TERM");
    Await.until(() -> !servers(api1).contains("node3") && !servers(api2).contains("node3"), 15_000, "node3 left the rings");
    long leftAt = System.currentTimeMillis();
    Await.until(() -> !nodes.get(2).alive(), 20_000, "node3 exited after SIGTERM");
    long exitedAt = System.currentTimeMillis();
    Await.result(onTerminated.closed(), 10_000);
    boolean told = onTerminated.frames().stream()
        .anyMatch(f -> "err".equals(f.getString("type")) && "shutdown".equals(f.getString("body")));
    Thread.sleep(2_000);
    loading = false;
    Thread.sleep(500);

    // every client (all on node1 now) got every publish acknowledged over the whole run, the SIGTERM included
    List<Integer> published = acked.entrySet().stream().filter(e -> e.getValue() >= termAt).map(Map.Entry::getKey).sorted().toList();
    ClientChain.Ledger l = wholeRun();
    int entriesLost = 0;
    for (int i = 0; i < USERS; i++) {
      String u = user(i);
      entriesLost += u.equals(Await.result(client.auth().check(u, "s" + i).otherwise(""))) ? 0 : 1;
      entriesLost += Await.result(client.channel().getSubscriptions(u, 0, null)).items().contains("load") ? 0 : 1;
    }
    System.out.printf("[measure] SIGTERM node3: left every ring %d ms after the signal, process exited after %d ms;"
            + " its clients told 'shutdown': %s; %d publishes acknowledged after the signal; whole run: %s;"
            + " entries lost %d%n", leftAt - termAt, exitedAt - termAt, told, published.size(), l, entriesLost);
    assertTrue(exitedAt - termAt < 20_000, "bounded shutdown");
    assertTrue(told, "clients of the stopping edge are told to reconnect elsewhere");
    assertTrue(published.size() > 50, "load kept being acknowledged during the shutdown");
    ClientChain.assertClean(l);
    assertEquals(0, entriesLost);
  }
}
