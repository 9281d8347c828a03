package io.socketpush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.socketpush.testing.Await;
import io.socketpush.testing.Closer;
import io.socketpush.testing.FrameClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No zombie after a rolling restart (issue 17): the example cluster (three JVMs, real Infinispan) with 30 users
 * subscribed to a presence channel, 10 on node1, 10 on node3, 10 on both; SIGTERM and start of node1, node2, node3
 * one after the other (each once the grid is HEALTHY again, as StreamRollingRestartIT), the sockets of a stopped
 * edge reconnecting to the other edge as clients do. After each node: channel.presenceStats equals the sockets
 * really open; the channel is never vacated while users are connected. At the end every socket closes: the channel
 * is vacated (its last event), every user's online/offline events alternate and end offline, presence is empty.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PresenceRollingRestartIT {
  /** Long enough for 40 sockets to reconnect to the other edge after theirs closed (a client's reconnect). */
  static final long GRACE_MS = 10_000;
  static final String SECRET = "presence-rr-secret-0123456789";
  static final String CH = "rr-room";
  static final int USERS = 30;
  static ExampleCluster c;
  static Vertx receiverVertx;
  static WebhookReceiver receiver;

  /** One open socket of the test: its user and the edge's client port. */
  record Socket(String user, int port, FrameClient client) {
  }

  static final List<Socket> open = new ArrayList<>();

  static String user(int i) {
    return "rr-" + (i < 10 ? "0" : "") + i;
  }

  @BeforeAll
  static void start() throws Exception {
    receiverVertx = Vertx.vertx();
    receiver = Await.result(WebhookReceiver.start(receiverVertx, SECRET), 30_000);
    c = new ExampleCluster().start("presence-rr", ExampleCluster.presenceOverlay(GRACE_MS, "channel.rr-*", receiver.url(), SECRET));
    c.sessionsAndSubscriptions(java.util.stream.IntStream.range(0, USERS).mapToObj(PresenceRollingRestartIT::user).toList(), CH);
    for (int i = 0; i < USERS; i++) {
      if (i < 10 || i >= 20) {
        open.add(new Socket(user(i), 8080, c.connect(8080, user(i), "s")));
      }
      if (i >= 10) {
        open.add(new Socket(user(i), 8083, c.connect(8083, user(i), "s")));
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    Closer.all(c == null ? null : c::stop, () -> Await.result(receiverVertx.close(), 30_000));
  }

  /** {"users", "sockets"} of the sockets this test holds open. */
  static JsonObject reallyOpen() {
    Set<String> users = new HashSet<>();
    open.forEach(s -> users.add(s.user()));
    return new JsonObject().put("users", users.size()).put("sockets", open.size());
  }

  static volatile JsonObject lastOff;

  static JsonObject stats() {
    try {
      JsonObject st = Await.result(c.client.channel().presenceStats(CH));
      if (!st.equals(reallyOpen()) && !st.equals(lastOff)) {
        System.out.println("presenceStats " + st + ", really open " + reallyOpen());
      }
      lastOff = st;
      return st;
    } catch (RuntimeException | AssertionError e) {
      return new JsonObject().put("error", String.valueOf(e.getMessage()));
    }
  }

  static List<String> occupancy() {
    return receiver.typesOf("channel:" + CH).stream().filter(t -> t.startsWith("channel.")).toList();
  }

  @Test
  void presenceEqualsTheOpenSocketsAfterARollingRestartAndTheChannelIsVacatedOnceAtTheEnd() throws Exception {
    c.untilOrDump(() -> stats().equals(reallyOpen()), 30_000, "presence of the first sockets");
    c.untilOrDump(() -> occupancy().equals(List.of("channel.occupied")), 30_000, "occupied: " + receiver.summary());
    for (int n = 1; n <= 3; n++) {
      int node = n;
      int port = n == 1 ? 8080 : n == 3 ? 8083 : 0;
      int other = n == 1 ? 8083 : 8080;
      List<Socket> cut = open.stream().filter(s -> s.port() == port).toList();
      c.node(n).signal("TERM");
      // the stopped edge's sockets reconnect to the other edge as soon as theirs closed, as clients do (within
      // the grace: a user whose grace ran out goes offline and is unsubscribed from everything, by design)
      List<Future<Socket>> moved = new ArrayList<>();
      for (Socket s : cut) {
        moved.add(s.client().closed().compose(v -> FrameClient.connect(c.local, other))
            .compose(fc -> fc.auth(s.user(), "s").map(reply -> {
              assertEquals("rec", reply.getString("type"), s.user() + " reconnected");
              return new Socket(s.user(), other, fc);
            })));
      }
      Await.result(Future.all(moved), 60_000);
      open.removeAll(cut);
      moved.forEach(m -> open.add(m.result()));
      Await.until(() -> !c.node(node).alive(), 30_000, "node" + n + " exited after SIGTERM");
      c.node(n).start();
      NodeProcess.awaitHttp(n == 1 ? 8080 : n == 2 ? 8182 : 8083, n == 2 ? "/heartbeat" : "/eventbus/info", 120_000);
      c.untilOrDump(() -> c.client.serverNodes().containsAll(List.of("node1", "node2", "node3")), 90_000, "node" + n + " back");
      c.untilOrDump(() -> ExampleCluster.servers(c.api1).containsAll(List.of("node1", "node2", "node3")), 60_000,
          "node" + n + " in node1's status");
      long t0 = System.currentTimeMillis();
      c.untilOrDump(() -> "HEALTHY".equals(GridHealth.status(c.vertx)), 60_000, "the grid settled after node" + n + "'s start");
      System.out.printf("[measure] presence rolling restart: node%d back, grid HEALTHY after %d ms%n", n, System.currentTimeMillis() - t0);
      c.untilOrDump(() -> stats().equals(reallyOpen()), 30_000, "after node" + n + "'s restart presence equals the sockets "
          + "really open " + reallyOpen() + " (last seen in the log below)");
      System.out.println("[measure] presence rolling restart: after node" + n + " presence " + stats() + ", really open " + reallyOpen());
    }
    Thread.sleep(GRACE_MS + 1_000); // any leave/offline of a user who only moved would be out by now
    assertEquals(reallyOpen(), stats(), "no zombie: presence equals the sockets really open");
    assertEquals(List.of("channel.occupied"), occupancy(), "never vacated while users were connected");

    for (Socket s : open) {
      Await.result(s.client().close());
    }
    open.clear();
    c.untilOrDump(() -> occupancy().size() == 2, 30_000, "vacated after the last socket closed: " + receiver.typesOf("channel:" + CH));
    Thread.sleep(1_000);
    List<String> all = receiver.typesOf("channel:" + CH);
    assertEquals(List.of("channel.occupied", "channel.vacated"), occupancy(), all.toString());
    assertEquals("channel.vacated", all.get(all.size() - 1), all.toString());
    for (int i = 0; i < USERS; i++) {
      String u = user(i);
      List<String> types = receiver.typesOf("user:" + u, u);
      // a user that did not reconnect within the grace may have an offline/online pair: alternating, ending offline
      for (int k = 0; k < types.size(); k++) {
        assertEquals(k % 2 == 0 ? "user.online" : "user.offline", types.get(k), u + ": " + types);
      }
      assertEquals("user.offline", types.get(types.size() - 1), u + ": " + types);
    }
    assertEquals(new JsonObject().put("users", 0).put("sockets", 0), stats());
    assertEquals(0, receiver.badSignatures());
  }
}
