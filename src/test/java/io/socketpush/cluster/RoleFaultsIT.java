package io.socketpush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.testing.Await;
import io.socketpush.testing.FrameClient;
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
 * and restart it; SIGKILL node1 and restart it. Each reports detection, resumption, messages lost for
 * users on surviving edges and entries lost.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class RoleFaultsIT {
  static final int USERS = 6;
  static ExampleCluster c;
  static final List<FrameClient> onNode1 = new ArrayList<>();
  static final List<FrameClient> onNode3 = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    // Users whose every socket is gone cluster-wide for removeUserAfterDisconnectTimeout (default 20 s) are
    // unsubscribed from all channels, by design. This suite's outages (a 15 s freeze plus the rejoin; a restart
    // of node2 before the sockets come back) straddle 20 s, so with the default the users of the affected
    // edge were unsubscribed in some runs and never received again (CI: 3 of 5 runs failed 3/3). The suite
    // measures delivery and state across faults, not that timeout: it runs with a timeout longer than any
    // of its outages, and entriesLost() still checks that no subscription was lost.
    c = new ExampleCluster().start("sp-roles", new JsonObject().put("edge",
        new JsonObject().put("removeUserAfterDisconnectTimeout", 600_000)));
    List<Future<Void>> writes = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      String u = "ru" + i;
      writes.add(c.client.auth().set(u, "s" + i).compose(v -> c.client.channel().subscribe(u, "load"))
          .compose(v -> c.client.channel().subscribe(u, "extra-" + u)));
    }
    Await.result(Future.all(writes), 60_000);
    for (int i = 0; i < USERS; i++) {
      (i % 2 == 0 ? onNode1 : onNode3).add(c.connect(i % 2 == 0 ? 8080 : 8083, "ru" + i, "s" + i));
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

  /** Time of the first acknowledged publish after {@code since} that every socket received. */
  static long resumedAt(long since, List<FrameClient> sockets) {
    return resumedAt(since, sockets, () -> { });
  }

  /** Same, running {@code eachPoll} (e.g. reconnecting closed sockets) before every check. */
  static long resumedAt(long since, List<FrameClient> sockets, Runnable eachPoll) {
    long[] at = {-1};
    try {
      c.untilOrDump(() -> {
        eachPoll.run();
        c.acked.entrySet().stream().filter(e -> e.getValue() > since)
            .filter(e -> sockets.stream().allMatch(s -> ExampleCluster.received(s, "load").contains(e.getKey())))
            .mapToLong(java.util.Map.Entry::getValue).min().ifPresent(t -> at[0] = t);
        return at[0] > 0;
      }, 30_000, "delivery resumed");
    } catch (AssertionError e) {
      for (FrameClient s : sockets) {
        java.util.Set<Integer> got = ExampleCluster.received(s, "load");
        System.out.println("---- socket " + s + (s.closed().isComplete() ? " (closed)" : " (open)") + ": " + got.size()
            + " received, last " + (got.isEmpty() ? "-" : ((java.util.TreeSet<Integer>) got).last()));
      }
      c.printEdgeStats("----");
      throw e;
    }
    return at[0];
  }

  /**
   * When {@code sockets} (user {@code ru<2k+firstUser>} on {@code port}) receive again after a node came
   * back: reconnects closed ones as the JS client does, finds the first acknowledged publish all of them
   * received, then watches them for 10 s; a socket closed meanwhile (the node re-registering late) starts
   * the search again. Bounded by 90 s.
   */
  static long settledResumption(long since, List<FrameClient> sockets, int port, int firstUser, int[] reconnects) {
    long deadline = System.currentTimeMillis() + 90_000;
    while (true) {
      long at = resumedAt(since, sockets, () -> reconnects[0] += reconnectClosed(sockets, port, firstUser));
      long watchEnd = System.currentTimeMillis() + 10_000;
      boolean closed = false;
      while (!closed && System.currentTimeMillis() < watchEnd) {
        closed = sockets.stream().anyMatch(s -> s.closed().isComplete());
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
   * Reconnects the closed sockets of {@code sockets} (user {@code ru<2k+firstUser>}) to {@code port}, as
   * the JS client does; a node that is not serving yet is tried again at the next call. Returns how many
   * reconnected.
   */
  static int reconnectClosed(List<FrameClient> sockets, int port, int firstUser) {
    int n = 0;
    for (int k = 0; k < sockets.size(); k++) {
      if (sockets.get(k).closed().isComplete()) {
        int u = 2 * k + firstUser;
        try {
          sockets.set(k, c.connect(port, "ru" + u, "s" + u));
          n++;
        } catch (RuntimeException | AssertionError notYet) {
          // the edge is not serving yet
        }
      }
    }
    return n;
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
    c.untilOrDump(() -> reconnectClosed(onNode1, 8080, 0) >= 0 && reconnectClosed(onNode3, 8083, 1) >= 0
        && onNode1.stream().noneMatch(s -> s.closed().isComplete()) && onNode3.stream().noneMatch(s -> s.closed().isComplete()),
        60_000, "every socket connected");
  }

  /** Waits until the last acknowledged publish reached every socket, then counts the losses since {@code from}. */
  static long lostSince(long from, List<FrameClient> sockets) {
    long to = System.currentTimeMillis();
    List<Integer> published = c.ackedBetween(from, to);
    int last = published.stream().mapToInt(Integer::intValue).max().orElse(-1);
    if (last >= 0) {
      try {
        Await.until(() -> sockets.stream().allMatch(s -> ExampleCluster.received(s, "load").contains(last)), 10_000, "last publish");
      } catch (AssertionError e) {
        // counted as lost below
      }
    }
    return c.lost(published, sockets, "load");
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
      long lostOnNode3 = lostSince(detectedAt, onNode3);
      c.node(1).signal("CONT");
      long contAt = System.currentTimeMillis();
      c.untilOrDump(() -> c.client.serverNodes().contains("node1") && statusAgrees(), 90_000, "node1 back and status agreeing");
      long backAt = System.currentTimeMillis();
      // node1 comes back from the minority side of a merge and registers its consumers again by redeploying
      // its roles (closing its sockets; messages published while a socket is away are not replayed), or, if
      // it was never excluded, keeps them: the sockets reconnect as the JS client would, until they receive
      // and stay connected
      int[] reconnected = {0};
      long node1Resumed = settledResumption(backAt, onNode1, 8080, 0, reconnected);
      Thread.sleep(2_000);
      long lostNode1 = lostSince(node1Resumed, onNode1);
      long lostNode3 = lostSince(contAt, onNode3);
      int entries = entriesLost();
      System.out.printf("[measure] SIGSTOP node1 (edge+management) 15 s: suspected after %d ms; node3's sockets: delivery"
              + " after detection from %d ms after the stop, %d lost while node1 was frozen; SIGCONT -> node1 back in every"
              + " status in %d ms, its sockets (%d reconnects for %d) receiving again %d ms after that; lost after that: %d on node1's sockets, %d on node3's since SIGCONT; duplicates %d;"
              + " entries lost %d%n", detectedAt - stoppedAt, resumed - stoppedAt, lostOnNode3, backAt - contAt,
          reconnected[0], onNode1.size(), node1Resumed - backAt, lostNode1, lostNode3, ExampleCluster.duplicates(onNode1, "load") + ExampleCluster.duplicates(onNode3, "load"),
          entries);
      assertEquals(0, lostOnNode3, "users on the surviving edge got every message published after detection");
      assertEquals(0, lostNode1, "node1's sockets got every message after they received again");
      assertEquals(0, lostNode3, "node3's sockets got every message while node1 came back");
      assertEquals(0, ExampleCluster.duplicates(onNode3, "load"));
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
    List<FrameClient> all = new ArrayList<>(onNode1);
    all.addAll(onNode3);
    long resumed = resumedAt(detectedAt, all);
    Thread.sleep(3_000);
    long lost = lostSince(detectedAt, all);

    long t0 = System.currentTimeMillis();
    c.node(2).start();
    NodeProcess.awaitHttp(8182, "/heartbeat", 120_000);
    c.untilOrDump(() -> c.client.serverNodes().contains("node2") && statusAgrees(), 60_000, "node2 back");
    long back = System.currentTimeMillis() - t0;
    int entries = entriesLost();
    System.out.printf("[measure] SIGKILL node2 (auth+user+channel+management): dropped after %d ms; auth.set then failed"
            + " fast with 503 UNAVAILABLE in %d ms; channel delivery to both edges resumed %d ms after the kill; %d lost after"
            + " detection; restarted node2 back in every status after %d ms; entries lost %d%n",
        detectedAt - killedAt, failMs, resumed - killedAt, lost, back, entries);
    assertTrue(failMs < 2_000, "fails fast");
    assertEquals(0, lost);
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
    long moveStart = System.currentTimeMillis();
    List<FrameClient> moved = new ArrayList<>();
    for (int i = 0; i < USERS; i += 2) {
      moved.add(c.connect(8083, "ru" + i, "s" + i));
    }
    long movedAt = resumedAt(moveStart, moved);
    Thread.sleep(2_000);
    long lost = lostSince(detectedAt, onNode3);
    int entries = entriesLost();
    System.out.printf("[measure] SIGKILL node1 (edge+management): dropped after %d ms; node3's sockets resumed %d ms after"
            + " the kill, %d lost after detection; node1's users reconnected to node3 receiving again %d ms after they"
            + " reconnected; entries lost %d%n", detectedAt - killedAt, resumed - killedAt, lost, movedAt - moveStart, entries);
    assertEquals(0, lost);
    assertEquals(0, entries);
    assertEquals(new JsonArray().add("http://127.0.0.1:8083"), new JsonArray(Await.result(c.client.user().getFrontendServer("ru0"))));
    c.stopLoad();
  }
}
