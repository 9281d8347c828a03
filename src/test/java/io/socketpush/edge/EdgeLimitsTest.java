package io.socketpush.edge;

import static io.socketpush.testing.EdgeFixture.isErr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.message.PushMessage;
import io.socketpush.testing.Await;
import io.socketpush.testing.EdgeFixture;
import io.socketpush.testing.FrameClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One test per edge limit and defence; each fails without the limit. */
class EdgeLimitsTest {
  @RegisterExtension
  static final EdgeFixture edge = EdgeFixture.node("limits", new JsonObject().put("edge", new JsonObject()
      .put("maxFrameSize", 4_096).put("maxFramesPerSecond", 50).put("maxSocketsPerUser", 2)
      .put("maxRegistrationsPerSocket", 3).put("maxAddressLength", 64).put("maxWriteQueueSize", 16_384)
      .put("allowedOrigins", new JsonArray().add("https://app.example"))
      .put("publicChannels", new JsonArray().add("p1").add("p2").add("p3").add("p4"))));

  private int sockets() {
    JsonObject s = Await.result(edge.services().cluster("limits").status());
    return s.getJsonArray("nodes").getJsonObject(0).getJsonObject("edge").getInteger("sockets");
  }

  @Test
  void crossSiteOriginsAreRejectedOwnAndAllowlistedAccepted() {
    Throwable denied = Await.failure(FrameClient.connect(edge.vertx(), edge.node().edgePort(), "https://evil.example"));
    assertTrue(String.valueOf(denied.getMessage()).contains("403"), String.valueOf(denied));
    edge.client("https://app.example");
    edge.client("http://127.0.0.1:" + edge.node().edgePort());
    edge.client(null); // non-browser clients send no Origin
  }

  @Test
  void framesAboveMaxFrameSizeAreRefused() {
    FrameClient c = edge.authed("big", "s");
    String big = new JsonObject().put("type", "ping").put("pad", "x".repeat(5_000)).encode();
    Await.result(c.sendText(big));
    Await.result(c.waitFor(f -> isErr(f, "limit_exceeded")));
    // still usable
    assertEquals(1, Await.result(edge.services().user().publish("big", PushMessage.of("ok"), null)).sockets());
    Await.result(c.waitFor(f -> "ok".equals(f.getValue("body"))));
    // grossly oversized frames never reach the parser: the connection is closed (1009 message too big)
    Await.result(c.sendText(new JsonObject().put("type", "ping").put("pad", "x".repeat(20_000)).encode()));
    Await.result(c.closed(), 10_000);
    assertTrue(c.closeCode() != null && (c.closeCode() == 1009 || c.closeCode() == 1006), "close " + c.closeCode());
    Await.until(() -> sockets() == 0, 5_000, "socket released");
  }

  @Test
  void framesBeyondTheRateAreDroppedWithOneError() {
    FrameClient c = edge.authed("rate", "s");
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
    edge.authed("many", "s");
    edge.authed("many", "s");
    FrameClient third = edge.client(null);
    JsonObject reply = Await.result(third.auth("many", "s"));
    assertEquals("err", reply.getString("type"));
    assertEquals("limit_exceeded", reply.getString("message"));
  }

  @Test
  void registrationsPerSocketAreCapped() {
    FrameClient c = edge.authed("regs", "s");
    for (String ch : List.of("p1", "p2", "p3", "p4")) {
      Await.result(c.register("channel." + ch));
    }
    Await.result(c.waitFor(f -> isErr(f, "limit_exceeded") && "channel.p4".equals(f.getString("address"))));
    assertEquals(1, c.frames().stream().filter(f -> "err".equals(f.getString("type"))).count());
  }

  @Test
  void longAddressesAreRefused() {
    FrameClient c = edge.authed("addr", "s");
    Await.result(c.register("channel." + "y".repeat(100)));
    Await.result(c.waitFor(f -> isErr(f, "limit_exceeded")));
  }

  @Test
  void aSlowConsumerIsClosedAndOthersKeepReceiving() {
    FrameClient slow = edge.authed("slow", "s");
    FrameClient fast = edge.authed("fast", "s");
    Await.result(edge.services().channel().subscribe("slow", "flood"));
    Await.result(edge.services().channel().subscribe("fast", "flood"));
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
        batch.add(edge.services().channel().publish("flood", PushMessage.of(new JsonObject().put("n", sent++).put("p", payload)), null));
      }
      long t0 = System.nanoTime();
      Await.result(Future.all(batch));
      int n = sent;
      Await.until(() -> fast.framesFor("channel.flood").size() >= n, 10_000, "fast client keeps up");
      worstCatchUpMs = Math.max(worstCatchUpMs, (System.nanoTime() - t0) / 1_000_000);
    }
    Await.until(() -> sockets() == before - 1, 5_000, "slow socket closed");
    JsonObject stats = Await.result(edge.services().cluster("limits").status()).getJsonArray("nodes").getJsonObject(0).getJsonObject("edge");
    assertTrue(stats.getLong("slowConsumerCloses") >= 1);
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
