package io.socketpush.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.message.PushMessage;
import io.socketpush.shard.Services;
import io.socketpush.testing.Await;
import io.socketpush.testing.FrameClient;
import io.socketpush.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One test per edge limit and defence; each fails without the limit. */
class EdgeLimitsTest {
  static Vertx vertx;
  static TestNode node;
  static Services services;
  final List<FrameClient> clients = new ArrayList<>();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    node = Await.result(TestNode.start(vertx, "limits", new JsonObject().put("edge", new JsonObject()
        .put("maxFrameSize", 4_096).put("maxFramesPerSecond", 50).put("maxSocketsPerUser", 2)
        .put("maxRegistrationsPerSocket", 3).put("maxAddressLength", 64).put("maxWriteQueueSize", 16_384)
        .put("allowedOrigins", new JsonArray().add("https://app.example"))
        .put("publicChannels", new JsonArray().add("p1").add("p2").add("p3").add("p4")))));
    services = node.verticle.services();
  }

  @AfterAll
  static void stop() {
    Await.result(vertx.close());
  }

  @AfterEach
  void closeClients() {
    clients.forEach(c -> Await.result(c.close()));
  }

  private FrameClient client(String origin) {
    FrameClient c = Await.result(FrameClient.connect(vertx, node.edgePort(), origin));
    clients.add(c);
    return c;
  }

  private FrameClient authed(String user) {
    Await.result(services.auth().set(user, "s"));
    FrameClient c = client(null);
    assertEquals("rec", Await.result(c.auth(user, "s")).getString("type"));
    return c;
  }

  private static boolean isErr(JsonObject f, String body) {
    return "err".equals(f.getString("type")) && body.equals(f.getString("body"));
  }

  private int sockets() {
    JsonObject s = Await.result(services.cluster("limits").status());
    return s.getJsonArray("nodes").getJsonObject(0).getJsonObject("edge").getInteger("sockets");
  }

  @Test
  void crossSiteOriginsAreRejectedOwnAndAllowlistedAccepted() {
    Throwable denied = Await.failure(FrameClient.connect(vertx, node.edgePort(), "https://evil.example"));
    assertTrue(String.valueOf(denied.getMessage()).contains("403"), String.valueOf(denied));
    client("https://app.example");
    client("http://127.0.0.1:" + node.edgePort());
    client(null); // non-browser clients send no Origin
  }

  @Test
  void framesAboveMaxFrameSizeAreRefused() {
    FrameClient c = authed("big");
    String big = new JsonObject().put("type", "ping").put("pad", "x".repeat(5_000)).encode();
    Await.result(c.sendText(big));
    Await.result(c.waitFor(f -> isErr(f, "limit_exceeded")));
    // still usable
    assertEquals(1, Await.result(services.user().publish("big", PushMessage.of("ok"), null)).sockets());
    Await.result(c.waitFor(f -> "ok".equals(f.getValue("body"))));
    // grossly oversized frames never reach the parser: the connection is closed (1009 message too big)
    Await.result(c.sendText(new JsonObject().put("type", "ping").put("pad", "x".repeat(20_000)).encode()));
    Await.result(c.closed(), 10_000);
    assertTrue(c.closeCode() != null && (c.closeCode() == 1009 || c.closeCode() == 1006), "close " + c.closeCode());
    Await.until(() -> sockets() == 0, 5_000, "socket released");
  }

  @Test
  void framesBeyondTheRateAreDroppedWithOneError() {
    FrameClient c = authed("rate");
    for (int i = 0; i < 200; i++) {
      c.send(new JsonObject().put("type", "register").put("address", "user.other"));
    }
    Await.result(c.waitFor(f -> isErr(f, "limit_exceeded")));
    Await.until(() -> c.frames().stream().filter(f -> isErr(f, "access_denied")).count() >= 40, 5_000, "denials");
    long denied = c.frames().stream().filter(f -> isErr(f, "access_denied")).count();
    long limited = c.frames().stream().filter(f -> isErr(f, "limit_exceeded")).count();
    assertTrue(denied <= 100, "at most ~2 windows of frames processed, got " + denied);
    assertTrue(limited >= 1 && limited <= 4, "one limit error per window, got " + limited);
  }

  @Test
  void socketsPerUserAreCapped() {
    authed("many");
    authed("many");
    FrameClient third = client(null);
    JsonObject reply = Await.result(third.auth("many", "s"));
    assertEquals("err", reply.getString("type"));
    assertEquals("limit_exceeded", reply.getString("message"));
  }

  @Test
  void registrationsPerSocketAreCapped() {
    FrameClient c = authed("regs");
    for (String ch : List.of("p1", "p2", "p3", "p4")) {
      Await.result(c.register("channel." + ch));
    }
    Await.result(c.waitFor(f -> isErr(f, "limit_exceeded") && "channel.p4".equals(f.getString("address"))));
    assertEquals(1, c.frames().stream().filter(f -> "err".equals(f.getString("type"))).count());
  }

  @Test
  void longAddressesAreRefused() {
    FrameClient c = authed("addr");
    Await.result(c.register("channel." + "y".repeat(100)));
    Await.result(c.waitFor(f -> isErr(f, "limit_exceeded")));
  }

  @Test
  void aSlowConsumerIsClosedAndOthersKeepReceiving() {
    FrameClient slow = authed("slow");
    FrameClient fast = authed("fast");
    Await.result(services.channel().subscribe("slow", "flood"));
    Await.result(services.channel().subscribe("fast", "flood"));
    slow.pause();
    int before = sockets();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    long heapBefore = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long worstCatchUpMs = 0;
    String payload = "z".repeat(2_000);
    int sent = 0;
    long deadline = System.currentTimeMillis() + 30_000;
    // flood until the node gives up on the slow socket (bounded in count and time)
    while (sent < 20_000 && System.currentTimeMillis() < deadline && sockets() == before) {
      List<Future<io.socketpush.stream.PublishResult>> batch = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        batch.add(services.channel().publish("flood", PushMessage.of(new JsonObject().put("n", sent++).put("p", payload)), null));
      }
      long t0 = System.nanoTime();
      Await.result(Future.all(batch));
      int n = sent;
      Await.until(() -> fast.framesFor("channel.flood").size() >= n, 10_000, "fast client keeps up");
      worstCatchUpMs = Math.max(worstCatchUpMs, (System.nanoTime() - t0) / 1_000_000);
    }
    Await.until(() -> sockets() == before - 1, 5_000, "slow socket closed");
    JsonObject edge = Await.result(services.cluster("limits").status()).getJsonArray("nodes").getJsonObject(0).getJsonObject("edge");
    assertTrue(edge.getLong("slowConsumerCloses") >= 1);
    assertEquals(sent, fast.framesFor("channel.flood").size(), "the fast client lost nothing");
    assertFalse(fast.closed().isComplete());
    // the slow socket's backlog is bounded by maxWriteQueueSize: memory does not grow with the flood
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    long growth = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() - heapBefore;
    System.out.printf("slow consumer: %d messages flooded, fast client's worst batch of 200 took %d ms, heap growth %d KiB%n",
        sent, worstCatchUpMs, growth / 1024);
    assertTrue(growth < 32L * 1024 * 1024, "heap grew by " + growth);
    assertTrue(worstCatchUpMs < 5_000, "fast client's latency stayed bounded: " + worstCatchUpMs);
  }
}
