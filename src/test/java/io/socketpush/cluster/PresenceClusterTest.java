package io.socketpush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.client.SocketPushClient;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Channel presence and join/leave frames on a real 3-node cluster (clustered Vert.x instances in one JVM, real
 * Infinispan): two edges (n1, n3), the channel and user shards on n2 and n3, a client-only member.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PresenceClusterTest {
  static final long GRACE_MS = 1_500;
  static InJvmCluster c;
  static TestNode n1;
  static TestNode n2;
  static TestNode n3;
  static SocketPushClient client;
  static Vertx sockets;
  static final String SECRET = "presence-test-secret-0123456789";
  static Vertx receiverVertx;
  static WebhookReceiver receiver;

  @BeforeAll
  static void start() {
    receiverVertx = Vertx.vertx();
    receiver = Await.result(WebhookReceiver.start(receiverVertx, SECRET), 30_000);
    c = InJvmCluster.start(PresenceClusterTest::roles);
    n1 = c.n1;
    n2 = c.n2;
    n3 = c.n3;
    client = c.client;
    Await.until(() -> n1.verticle.services().membership().nodes().size() == 4
        && n2.verticle.services().membership().nodes().size() == 4
        && n3.verticle.services().membership().nodes().size() == 4, 30_000, "every member sees all four");
    sockets = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    if (sockets != null) {
      Await.result(sockets.close(), 30_000);
    }
    if (receiverVertx != null) {
      Await.result(receiverVertx.close(), 30_000);
    }
    if (c != null) {
      c.stop();
    }
  }

  static JsonObject roles(JsonArray roles) {
    return new JsonObject().put("roles", roles)
        .put("edge", new JsonObject().put("removeUserAfterDisconnectTimeout", GRACE_MS))
        // the test counts event-bus messages per query: a node's calls to its own roles take it too (no local calls)
        .put("cluster", new JsonObject().put("localCalls", false))
        .put("streams", new JsonObject().put("rules", new JsonArray()
            .add(new JsonObject().put("match", "channel.lobby-*").put("presence", true))))
        .put("events", new JsonObject().put("retryInitialDelay", 100).put("retryMaxDelay", 800).put("pollInterval", 100)
            .put("webhooks", new JsonArray().add(new JsonObject().put("url", receiver.url())
                .put("events", new JsonArray(io.socketpush.config.EventsConfig.TYPES)).put("secret", SECRET))));
  }

  static FrameClient connect(TestNode edge, String user) {
    FrameClient c = Await.result(FrameClient.connect(sockets, edge.edgePort()));
    assertEquals("rec", Await.result(c.auth(user, "s")).getString("type"), user);
    return c;
  }

  @Test
  @Order(1)
  void presenceListsConnectedSubscribersClusterWideAskingEachEdgeOnce() {
    String ch = "room";
    for (String u : List.of("p-1", "p-2", "p-3", "p-4", "p-5", "p-6")) {
      Await.result(client.auth().set(u, "s"));
    }
    for (String u : List.of("p-1", "p-2", "p-3", "p-4", "p-5")) {
      Await.result(client.channel().subscribe(u, ch));
    }
    // p-1 on both edges, p-2 and p-3 on n1, p-4 on n3, p-5 subscribed but not connected, p-6 connected, not subscribed
    List<FrameClient> cs = new ArrayList<>(List.of(connect(n1, "p-1"), connect(n3, "p-1"), connect(n1, "p-2"),
        connect(n1, "p-3"), connect(n3, "p-4"), connect(n3, "p-6"), connect(n3, "p-4")));
    try {
      c.sent.clear();
      c.counting = true;
      JsonObject stats = Await.result(client.channel().presenceStats(ch));
      c.counting = false;
      assertEquals(new JsonObject().put("users", 4).put("sockets", 6), stats);
      int edgeAsks = c.sent.entrySet().stream().filter(e -> e.getKey().split(" ", 2)[1].startsWith(Addresses.edgeInbox("")))
          .mapToInt(e -> e.getValue().get()).sum();
      assertEquals(2, edgeAsks, "one query per edge holding subscribers, never per subscriber: " + c.sent);

      JsonObject all = Await.result(client.channel().presence(ch, null, 0));
      assertEquals(new JsonArray()
          .add(item("p-1", 2)).add(item("p-2", 1)).add(item("p-3", 1)).add(item("p-4", 2)), all.getJsonArray("items"));
      assertEquals(null, all.getString("nextCursor"));

      // pages of 3: every user exactly once, in order
      JsonObject p1 = Await.result(client.channel().presence(ch, null, 3));
      assertEquals(3, p1.getJsonArray("items").size());
      assertEquals("p-3", p1.getString("nextCursor"));
      JsonObject p2 = Await.result(client.channel().presence(ch, "p-3", 3));
      assertEquals(new JsonArray().add(item("p-4", 2)), p2.getJsonArray("items"));
      assertEquals(null, p2.getString("nextCursor"));

      // over HTTP, the same
      Http admin = new Http(sockets, n1.adminPort());
      try {
        Http.Response r = Await.result(admin.call("channel", "presenceStats", new JsonObject().put("channelId", ch)));
        assertEquals(200, r.status(), r.body().encode());
        assertEquals(stats, r.body().getJsonObject("result"));
        r = Await.result(admin.call("channel", "presence", new JsonObject().put("channelId", ch).put("limit", 2)));
        assertEquals(200, r.status(), r.body().encode());
        assertEquals("p-2", r.body().getJsonObject("result").getString("nextCursor"));
        r = Await.result(admin.call("channel", "presence", new JsonObject().put("channelId", ch).put("limit", -1)));
        assertEquals(400, r.status(), r.body().encode());
      } finally {
        admin.close();
      }

      // a closed socket leaves presence at once (the grace is for offline/leave, not for who is connected now)
      Await.result(cs.remove(1).close());
      Await.until(() -> Await.result(client.channel().presenceStats(ch)).getInteger("sockets") == 5, 10_000, "p-1's n3 socket gone");
      assertEquals(item("p-1", 1), Await.result(client.channel().presence(ch, null, 1)).getJsonArray("items").getJsonObject(0));
      assertEquals(new JsonObject().put("users", 0).put("sockets", 0), Await.result(client.channel().presenceStats("nobody-here")));
    } finally {
      Await.result(Future.join(cs.stream().map(FrameClient::close).toList()), 30_000);
    }
  }

  static JsonObject item(String user, int sockets) {
    return new JsonObject().put("userId", user).put("sockets", sockets).putNull("info");
  }

  @Test
  @Order(2)
  void joinOnceLeaveOnceAcrossSocketsAndNoneForAReconnectWithinTheGrace() throws InterruptedException {
    String ch = "lobby-1";
    for (String u : List.of("j-1", "j-w")) {
      Await.result(client.auth().set(u, "s"));
      Await.result(client.channel().subscribe(u, ch));
      Await.result(client.channel().subscribe(u, "plain"));
    }
    FrameClient watcher = connect(n3, "j-w");
    List<FrameClient> cs = new ArrayList<>();
    try {
      cs.add(connect(n1, "j-1"));
      Await.result(watcher.waitFor(f -> watcher.presenceFrames(ch, "j-1").size() == 1));
      JsonObject join = watcher.framesFor("channel." + ch).stream()
          .filter(f -> f.getJsonObject("headers") != null && "j-1".equals(f.getJsonObject("headers").getString("userId")))
          .findFirst().orElseThrow();
      assertEquals(new JsonObject().put("presence", "join").put("userId", "j-1"), join.getJsonObject("body"), join.encode());
      cs.add(connect(n3, "j-1")); // a second socket (tab) on another edge: no second join
      cs.add(connect(n1, "j-1"));
      // a reconnect within the grace: every socket closes, one comes back on another edge
      for (FrameClient c : cs) {
        Await.result(c.close());
      }
      cs.clear();
      Thread.sleep(200);
      cs.add(connect(n3, "j-1"));
      Thread.sleep(GRACE_MS + 1_000); // past the grace: had the reconnect not counted, the leave would be out
      assertEquals(List.of("join"), watcher.presenceFrames(ch, "j-1"), "no leave/join pair for a reconnect within the grace");

      // unsubscribing while connected leaves, subscribing again joins
      Await.result(client.channel().unsubscribe("j-1", ch));
      Await.until(() -> watcher.presenceFrames(ch, "j-1").size() == 2, 10_000, "leave on unsubscribe");
      Await.result(client.channel().subscribe("j-1", ch));
      Await.until(() -> watcher.presenceFrames(ch, "j-1").size() == 3, 10_000, "join on subscribe");

      // the last socket closes: exactly one leave, after the grace
      long t0 = System.nanoTime();
      Await.result(cs.remove(0).close());
      Await.until(() -> watcher.presenceFrames(ch, "j-1").size() == 4, 10_000, "leave after the grace");
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms >= GRACE_MS - 100, "leave only after the grace (" + ms + " ms)");
      Thread.sleep(500);
      assertEquals(List.of("join", "leave", "join", "leave"), watcher.presenceFrames(ch, "j-1"));
      assertEquals(List.of(), watcher.presenceFrames("plain", "j-1"), "no presence frames where the rule does not enable them");
    } finally {
      cs.forEach(FrameClient::close);
      watcher.close();
    }
  }

  @Test
  @Order(3)
  void webhooksAreSignedInOrderPerKeyAndSurviveAReceiverFailingForAWhile() throws InterruptedException {
    String ch = "lobby-2";
    int n = 10;
    List<String> us = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      us.add("w-" + i);
      Await.result(client.auth().set("w-" + i, "s"));
      Await.result(client.channel().subscribe("w-" + i, ch));
    }
    receiver.failing(true); // 500 for every POST from now on
    List<FrameClient> cs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      cs.add(connect(i % 2 == 0 ? n1 : n3, us.get(i)));
    }
    for (FrameClient c : cs) {
      Await.result(c.close());
    }
    Thread.sleep(GRACE_MS + 1_500); // every user went offline while the receiver failed
    int failedBefore = receiver.rejected();
    assertTrue(failedBefore >= 2, "the receiver refused POSTs meanwhile: " + failedBefore);
    receiver.failing(false);
    long deadline = System.currentTimeMillis() + 20_000;
    while (!us.stream().allMatch(u -> receiver.typesOf("user:" + u, u).equals(List.of("user.online", "user.offline"))
        && receiver.typesOf("channel:" + ch, u).equals(List.of("presence.join", "presence.leave")))) {
      assertTrue(System.currentTimeMillis() < deadline,
          "every event delivered after the receiver recovered, in order per key: " + receiver.summary());
      Thread.sleep(100);
    }
    assertEquals(0, receiver.badSignatures(), "every POST verifies");
    for (String u : us) {
      // each event once by id (a redelivery would repeat an id, never make a new one)
      assertEquals(2, receiver.idsOf("user:" + u, u).size(), receiver.summary());
      assertEquals(2, receiver.idsOf("channel:" + ch, u).size(), receiver.summary());
    }
  }

  /** The events of {@code key} received so far (see {@link WebhookReceiver#typesOf(String)}). */
  static List<String> eventsOf(String key) {
    return receiver.typesOf(key);
  }

  @Test
  @Order(4)
  void occupiedOnceVacatedOnlyWhenTheLastPresentUserAnywhereIsGoneAndNoSecondJoin() throws InterruptedException {
    String ch = "lobby-occ"; // presence frames too (lobby-*), so a second join would show
    String key = "channel:" + ch;
    for (String u : List.of("o-1", "o-2")) {
      Await.result(client.auth().set(u, "s"));
    }
    Await.result(client.channel().subscribe("o-1", ch));
    Await.result(client.channel().subscribe("o-2", ch));
    FrameClient a = connect(n1, "o-1");
    FrameClient b = null;
    try {
      Await.until(() -> eventsOf(key).size() == 2, 10_000, "occupied and the first join: " + receiver.summary());
      assertEquals(List.of("channel.occupied", "presence.join:o-1"), eventsOf(key));
      b = connect(n3, "o-2"); // the second present user, on the other edge: no second occupied
      Await.until(() -> eventsOf(key).size() == 3, 10_000, "o-2's join");
      FrameClient bb = b;
      Await.until(() -> !bb.presenceFrames(ch, "o-2").isEmpty(), 10_000, "o-2's own join frame; b's frames: " + bb.frames());
      assertEquals(List.of("join"), bb.presenceFrames(ch, "o-2"), "one join frame; b's frames: " + bb.frames());

      // subscribing a connected user who is subscribed already: no second join (frame or event)
      Await.result(client.channel().subscribe("o-2", ch));
      // o-1's last socket closes: after the grace it leaves, but the channel is not vacated (o-2 is on n3)
      Await.result(a.close());
      Await.until(() -> eventsOf(key).size() >= 4, 10_000, "o-1's leave after the grace");
      Thread.sleep(1_000); // a vacated (or a late second join) would arrive meanwhile
      assertEquals(List.of("channel.occupied", "presence.join:o-1", "presence.join:o-2", "presence.leave:o-1"),
          eventsOf(key), "no vacated while o-2 is still connected on another node, no second join of o-2");
      assertEquals(List.of("join"), b.presenceFrames(ch, "o-2"), "no second join frame for a second subscribe");

      // the last present user unsubscribes while connected: vacated; subscribing again: occupied
      Await.result(client.channel().unsubscribe("o-2", ch));
      Await.until(() -> eventsOf(key).size() == 6, 10_000, "o-2's leave and vacated");
      Await.result(client.channel().subscribe("o-2", ch));
      Await.until(() -> eventsOf(key).size() == 8, 10_000, "occupied again and o-2's join");
      // its last socket closes: leave and vacated after the grace (offline timer)
      Await.result(b.close());
      b = null;
      Await.until(() -> eventsOf(key).size() == 10, 10_000, "o-2's leave and vacated after the grace");
      Thread.sleep(500);
      assertEquals(List.of("channel.occupied", "presence.join:o-1", "presence.join:o-2", "presence.leave:o-1",
          "presence.leave:o-2", "channel.vacated", "channel.occupied", "presence.join:o-2", "presence.leave:o-2",
          "channel.vacated"), eventsOf(key));
      assertEquals(0, receiver.badSignatures());
    } finally {
      a.close();
      if (b != null) {
        b.close();
      }
    }
  }

  @Test
  @Order(5)
  void twoThousandEventsAreDeliveredInBatchesOnceEachInOrderPerKey() {
    // the outbox of the nodes' webhook (index 0), written from n2 as a channel owner would: 2,000 events over 100
    // channel keys, delivered by the nodes' dispatchers (their owners on the channel ring) in batches
    io.socketpush.events.Outbox outbox = new io.socketpush.events.Outbox(
        Await.result(io.socketpush.events.OutboxStore.open(c.instances.get(1)), 30_000),
        List.of(new io.socketpush.config.EventsConfig.Webhook(receiver.url(),
            java.util.Set.copyOf(io.socketpush.config.EventsConfig.TYPES), SECRET)), "tp");
    int keys = 100;
    int perKey = 20;
    int before = receiver.events().size();
    long t0 = System.nanoTime();
    List<Future<Void>> emits = new ArrayList<>();
    for (int n = 0; n < perKey; n++) {
      for (int k = 0; k < keys; k++) {
        emits.add(outbox.emit("presence.join", "channel:tp-" + k, new JsonObject().put("userId", "tp-u" + n)));
      }
    }
    Await.result(Future.all(emits), 120_000);
    long stored = System.nanoTime();
    Await.until(() -> receiver.events().size() - before >= keys * perKey, 120_000, "2,000 events delivered");
    long delivered = System.nanoTime();
    for (int k = 0; k < keys; k++) {
      List<String> got = receiver.typesOf("channel:tp-" + k);
      List<String> expected = new ArrayList<>();
      for (int n = 0; n < perKey; n++) {
        expected.add("presence.join:tp-u" + n);
      }
      assertEquals(expected, got, "once each, in order of emission, for key " + k);
    }
    long ms = (delivered - t0) / 1_000_000;
    System.out.printf("[measure] webhook throughput (in-JVM 4-member cluster, real Infinispan, batchSize %d): %d events over %d keys "
        + "stored in %d ms, all received %d ms after the first emit (%.0f events/s), %d received in total (redeliveries included)%n",
        io.socketpush.config.EventsConfig.DEFAULT_BATCH_SIZE, keys * perKey, keys, (stored - t0) / 1_000_000, ms,
        keys * perKey * 1000.0 / Math.max(1, ms), receiver.events().size() - before);
  }
}
