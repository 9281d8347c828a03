package io.socketpush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.testing.Await;
import io.socketpush.testing.Http;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Faults of the other roles on the example cluster, under a steady channel publish load: SIGSTOP node1
 * (edge+management) for 15 s and resume it; SIGKILL node2 (the only auth node, also user+channel+management)
 * and restart it; SIGKILL node1 and restart it. Each reports detection, resumption and entries lost, and
 * counts the deliveries over the <b>whole run</b> for every client ({@link ClientChain}: a closed socket
 * reconnects with the position it reached, as the JS client does): every publish acknowledged since the
 * client's first socket arrived once and in order, or the server said it could not (recovered:false, which
 * fails the test: the history window here covers every outage).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class RoleFaultsIT {
  static final int USERS = 6;
  static ExampleCluster c;
  static final String STREAM = "channel.load";
  static final List<ClientChain> onNode1 = new ArrayList<>();
  static final List<ClientChain> onNode3 = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    // Users whose every socket is gone cluster-wide for removeUserAfterDisconnectTimeout (default 20 s) are
    // unsubscribed from all channels, by design. This suite's outages (a 15 s freeze plus the rejoin; a restart
    // of node2 before the sockets come back) straddle 20 s, so with the default the users of the affected
    // edge were unsubscribed in some runs and never received again (CI: 3 of 5 runs failed 3/3). The suite
    // measures delivery and state across faults, not that timeout: it runs with a timeout longer than any
    // of its outages, and entriesLost() still checks that no subscription was lost.
    // The history window of the load channel covers the longest outage (50 publishes/s for well over a minute)
    c = new ExampleCluster().start("sp-roles", new JsonObject()
        .put("edge", new JsonObject().put("removeUserAfterDisconnectTimeout", 600_000))
        .put("streams", new JsonObject().put("rules", new JsonArray().add(new JsonObject().put("match", STREAM)
            .put("historySize", 20_000).put("historyTtl", 600_000)))));
    List<Future<Void>> writes = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      String u = "ru" + i;
      writes.add(c.client.auth().set(u, "s" + i).compose(v -> c.client.channel().subscribe(u, "load"))
          .compose(v -> c.client.channel().subscribe(u, "extra-" + u)));
    }
    Await.result(Future.all(writes), 60_000);
    for (int i = 0; i < USERS; i++) {
      (i % 2 == 0 ? onNode1 : onNode3).add(ClientChain.open(c.local, i % 2 == 0 ? 8080 : 8083, "ru" + i, "s" + i, STREAM));
    }
    c.startLoad("load");
    Await.until(() -> c.acked.size() > 50, 30_000, "steady load");
  }

  @AfterAll
  static void stop() throws Exception {
    c.stop();
  }

  static int entriesLost() {
    int lost = 0;
    for (int i = 0; i < USERS; i++) {
      String u = "ru" + i;
      if (!u.equals(Await.result(c.client.auth().check(u, "s" + i).otherwise("")))) {
        lost++;
      }
      List<String> subs = Await.result(c.client.channel().getSubscriptions(u, 0, null)).items();
      lost += subs.contains("load") ? 0 : 1;
      lost += subs.contains("extra-" + u) ? 0 : 1;
    }
    return lost;
  }

  /** Time of the first acknowledged publish after {@code since} that every client received. */
  static long resumedAt(long since, List<ClientChain> clients) {
    return resumedAt(since, clients, () -> { });
  }

  /** Same, running {@code eachPoll} (e.g. reconnecting closed sockets) before every check. */
  static long resumedAt(long since, List<ClientChain> clients, Runnable eachPoll) {
    long[] at = {-1};
    try {
      c.untilOrDump(() -> {
        eachPoll.run();
        List<java.util.Set<Integer>> got = clients.stream().map(k -> (java.util.Set<Integer>) new java.util.HashSet<>(k.received())).toList();
        c.acked.entrySet().stream().filter(e -> e.getValue() > since)
            .filter(e -> got.stream().allMatch(g -> g.contains(e.getKey())))
            .mapToLong(java.util.Map.Entry::getValue).min().ifPresent(t -> at[0] = t);
        return at[0] > 0;
      }, 30_000, "delivery resumed");
    } catch (AssertionError e) {
      for (ClientChain k : clients) {
        java.util.TreeSet<Integer> got = new java.util.TreeSet<>(k.received());
        System.out.println("---- client " + k.user + " on " + k.current() + (k.closed() ? " (closed)" : " (open)") + ": " + got.size()
            + " received, last " + (got.isEmpty() ? "-" : got.last()));
      }
      c.printEdgeStats("----");
      throw e;
    }
    return at[0];
  }

  /**
   * When {@code clients} receive again on {@code port} after a node came back: reconnects closed ones as the JS
   * client does (with their positions), finds the first acknowledged publish all of them received, then watches
   * them for 10 s; a socket closed meanwhile (the node re-registering late) starts the search again. Bounded by 90 s.
   */
  static long settledResumption(long since, List<ClientChain> clients, int port, int[] reconnects) {
    long deadline = System.currentTimeMillis() + 90_000;
    while (true) {
      long at = resumedAt(since, clients, () -> reconnects[0] += reconnectClosed(clients, port));
      long watchEnd = System.currentTimeMillis() + 10_000;
      boolean closed = false;
      while (!closed && System.currentTimeMillis() < watchEnd) {
        closed = clients.stream().anyMatch(ClientChain::closed);
        sleepQuietly(200);
      }
      if (!closed) {
        return at;
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("the sockets on port " + port + " kept being closed for 90 s");
      }
    }
  }

  static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reconnects the clients of {@code clients} whose socket closed to {@code port} with their positions, as the JS
   * client does; a node that is not serving yet is tried again at the next call. Returns how many reconnected.
   */
  static int reconnectClosed(List<ClientChain> clients, int port) {
    int n = 0;
    for (ClientChain k : clients) {
      if (k.closed() && k.reconnect(c.local, port)) {
        n++;
      }
    }
    return n;
  }

  static List<ClientChain> everyClient() {
    List<ClientChain> all = new ArrayList<>(onNode1);
    all.addAll(onNode3);
    return all;
  }

  /** The deliveries of the whole run so far, for every client (waits, bounded, for the last ones to arrive). */
  static ClientChain.Ledger wholeRun() {
    ClientChain.Ledger l = ClientChain.settle(everyClient(), c.sent, c.acked, c.ackedAt, 30_000);
    System.out.println("[measure] load over the whole run so far, every client: " + l);
    return l;
  }


  /**
   * Each test starts from the whole example cluster, so that one failing test does not fail the next:
   * nodes a previous test left dead are started, frozen ones resumed, closed sockets reconnected.
   */
  @BeforeEach
  void wholeCluster() throws Exception {
    boolean restarted = false;
    for (int n = 1; n <= 3; n++) {
      c.node(n).signal("CONT");
      if (!c.node(n).alive()) {
        c.node(n).start();
        restarted = true;
      }
    }
    if (restarted) {
      NodeProcess.awaitHttp(8182, "/heartbeat", 120_000);
      NodeProcess.awaitHttp(8080, "/eventbus/info", 120_000);
      NodeProcess.awaitHttp(8083, "/eventbus/info", 120_000);
      c.untilOrDump(() -> c.client.serverNodes().containsAll(List.of("node1", "node2", "node3")) && statusAgrees(), 90_000,
          "the whole cluster back");
    }
    c.untilOrDump(() -> reconnectClosed(onNode1, 8080) >= 0 && reconnectClosed(onNode3, 8083) >= 0
        && everyClient().stream().noneMatch(ClientChain::closed), 60_000, "every socket connected");
  }

  static boolean statusAgrees() {
    try {
      JsonObject s1 = Await.result(c.api1.call("cluster", "status", null), 5_000).body().getJsonObject("result");
      JsonObject s2 = Await.result(c.api2.call("cluster", "status", null), 5_000).body().getJsonObject("result");
      JsonObject s3 = Await.result(c.client.cluster("node3").status(), 5_000);
      return s1 != null && s2 != null && s1.getJsonArray("nodes").size() == 4
          && s1.getLong("ringVersion").equals(s2.getLong("ringVersion")) && s2.getLong("ringVersion").equals(s3.getLong("ringVersion"));
    } catch (RuntimeException | AssertionError e) {
      return false;
    }
  }

  @Test
  @Order(1)
  void sigstopOfNode1For15Seconds() throws Exception {
    long stoppedAt = System.currentTimeMillis();
    c.node(1).signal("STOP");
    long detectedAt;
    try {
      c.untilOrDump(() -> !c.client.serverNodes().contains("node1"), 30_000, "node1 suspected");
      detectedAt = System.currentTimeMillis();
      long resumed = resumedAt(detectedAt, onNode3);
      Thread.sleep(Math.max(0, stoppedAt + 15_000 - System.currentTimeMillis()));
      c.node(1).signal("CONT");
      long contAt = System.currentTimeMillis();
      c.untilOrDump(() -> c.client.serverNodes().contains("node1") && statusAgrees(), 90_000, "node1 back and status agreeing");
      long backAt = System.currentTimeMillis();
      // node1 comes back from the minority side of a merge and registers its consumers again by redeploying
      // its roles (closing its sockets), or, if it was never excluded, keeps them: the sockets reconnect as the JS
      // client would, with their positions, until they receive and stay connected
      int[] reconnected = {0};
      long node1Resumed = settledResumption(backAt, onNode1, 8080, reconnected);
      Thread.sleep(2_000);
      ClientChain.Ledger l = wholeRun();
      int entries = entriesLost();
      System.out.printf("[measure] SIGSTOP node1 (edge+management) 15 s: suspected after %d ms; node3's sockets: delivery"
              + " after detection from %d ms after the stop; SIGCONT -> node1 back in every status in %d ms, its sockets"
              + " (%d reconnects for %d) receiving again %d ms after that; whole run: %s; entries lost %d%n",
          detectedAt - stoppedAt, resumed - stoppedAt, backAt - contAt, reconnected[0], onNode1.size(), node1Resumed - backAt,
          l, entries);
      ClientChain.assertClean(l);
      assertEquals(0, entries);
      assertEquals(new JsonArray().add("http://127.0.0.1:8080"), new JsonArray(Await.result(c.client.user().getFrontendServer("ru0"))));
      assertEquals(new JsonArray().add("http://127.0.0.1:8083"), new JsonArray(Await.result(c.client.user().getFrontendServer("ru1"))));
    } finally {
      c.node(1).signal("CONT");
    }
  }

  @Test
  @Order(2)
  void sigkillOfNode2TheOnlyAuthNode() throws Exception {
    long killedAt = System.currentTimeMillis();
    c.node(2).kill();
    c.untilOrDump(() -> !c.client.serverNodes().contains("node2") && !ExampleCluster.servers(c.api1).contains("node2"), 30_000, "node2 dropped");
    long detectedAt = System.currentTimeMillis();
    long t = System.nanoTime();
    Http.Response r = Await.result(c.api1.call("auth", "set", new JsonObject().put("userId", "x").put("sessionId", "y")));
    long failMs = (System.nanoTime() - t) / 1_000_000;
    assertEquals(503, r.status(), r.body().encode());
    assertEquals("UNAVAILABLE", r.body().getJsonObject("error").getString("code"));
    long resumed = resumedAt(detectedAt, everyClient());
    Thread.sleep(3_000);
    ClientChain.Ledger l = wholeRun();

    long t0 = System.currentTimeMillis();
    c.node(2).start();
    NodeProcess.awaitHttp(8182, "/heartbeat", 120_000);
    c.untilOrDump(() -> c.client.serverNodes().contains("node2") && statusAgrees(), 60_000, "node2 back");
    long back = System.currentTimeMillis() - t0;
    int entries = entriesLost();
    System.out.printf("[measure] SIGKILL node2 (auth+user+channel+management): dropped after %d ms; auth.set then failed"
            + " fast with 503 UNAVAILABLE in %d ms; channel delivery to both edges resumed %d ms after the kill; whole run: %s;"
            + " restarted node2 back in every status after %d ms; entries lost %d%n",
        detectedAt - killedAt, failMs, resumed - killedAt, l, back, entries);
    assertTrue(failMs < 2_000, "fails fast");
    ClientChain.assertClean(l);
    assertEquals(0, entries, "sessions and subscriptions survive the loss of the only auth node");
  }

  @Test
  @Order(3)
  void sigkillOfNode1TheEdgeWithManagement() throws Exception {
    long killedAt = System.currentTimeMillis();
    c.node(1).kill();
    c.untilOrDump(() -> !c.client.serverNodes().contains("node1"), 30_000, "node1 dropped");
    long detectedAt = System.currentTimeMillis();
    long resumed = resumedAt(killedAt, onNode3);
    // node1's clients find their socket closed and reconnect to node3 with their positions
    c.untilOrDump(() -> onNode1.stream().allMatch(ClientChain::closed), 30_000, "node1's sockets closed");
    long moveStart = System.currentTimeMillis();
    c.untilOrDump(() -> reconnectClosed(onNode1, 8083) >= 0 && onNode1.stream().noneMatch(ClientChain::closed), 30_000,
        "node1's clients reconnected to node3");
    long movedAt = resumedAt(moveStart, onNode1);
    Thread.sleep(2_000);
    ClientChain.Ledger l = wholeRun();
    int entries = entriesLost();
    System.out.printf("[measure] SIGKILL node1 (edge+management): dropped after %d ms; node3's sockets resumed %d ms after"
            + " the kill; node1's users reconnected to node3 with their positions, receiving again %d ms after they"
            + " reconnected; whole run: %s; entries lost %d%n", detectedAt - killedAt, resumed - killedAt, movedAt - moveStart, l, entries);
    ClientChain.assertClean(l);
    assertEquals(0, entries);
    assertEquals(new JsonArray().add("http://127.0.0.1:8083"), new JsonArray(Await.result(c.client.user().getFrontendServer("ru0"))));
    c.stopLoad();
  }
}
