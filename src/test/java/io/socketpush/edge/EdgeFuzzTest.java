package io.socketpush.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Thousands of random, truncated, oversized, deeply nested and non-JSON frames plus frames of every type in
 * the wrong state: the node must answer with err frames, never an internal error, keep serving a good
 * client, release every socket and keep its heap bounded.
 */
class EdgeFuzzTest {
  static final int FRAMES = 6_000;
  static final int CLIENTS = 20;
  static Vertx vertx;
  static TestNode node;
  static Services services;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    node = Await.result(TestNode.start(vertx, "fuzz", new JsonObject().put("edge", new JsonObject()
        .put("maxFramesPerSecond", 1_000_000).put("publicChannels", new JsonArray().add("pub")))));
    services = node.verticle.services();
  }

  @AfterAll
  static void stop() {
    Await.result(vertx.close());
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private int sockets() {
    return Await.result(services.cluster("fuzz").status()).getJsonArray("nodes").getJsonObject(0)
        .getJsonObject("edge").getInteger("sockets");
  }

  static String frame(Random r, int i) {
    JsonObject good = new JsonObject().put("type", "send").put("address", "socketpush.auth").put("replyAddress", "r" + i)
        .put("body", new JsonObject().put("userId", "f" + (i % 7)).put("sessionId", "s"));
    switch (r.nextInt(16)) {
      case 0: { // random characters, including control and non-ASCII
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(200);
        for (int k = 0; k < n; k++) {
          sb.append((char) r.nextInt(0xD7FF));
        }
        return sb.toString();
      }
      case 1: { // truncated JSON
        String s = good.encode();
        return s.substring(0, r.nextInt(s.length()));
      }
      case 2: // oversized but below the transport's hard cap
        return new JsonObject().put("type", "register").put("address", "x".repeat(70_000)).encode();
      case 3: // deeply nested
        return "[".repeat(5_000 + r.nextInt(5_000)) + "]".repeat(10);
      case 4:
        return "{\"type\":\"send\",\"body\":" + "{\"a\":".repeat(3_000) + "1" + "}".repeat(3_000) + "}";
      case 5: // JSON but not an object
        return List.of("[]", "null", "42", "\"register\"", "true", "[{\"type\":\"ping\"}]").get(r.nextInt(6));
      case 6: // wrong field types
        return new JsonObject().put("type", r.nextInt()).put("address", new JsonArray().add(1)).encode();
      case 7:
        return new JsonObject().put("type", "register").put("address", r.nextLong()).encode();
      case 8: // register before / without permission
        return new JsonObject().put("type", "register").put("address", List.of("user.1", "channel.x", "socketpush.auth", "", "channel.pub").get(r.nextInt(5))).encode();
      case 9:
        return new JsonObject().put("type", "unregister").put("address", "channel." + r.nextInt(10)).encode();
      case 10: // auth with bad bodies
        return new JsonObject().put("type", "send").put("address", "socketpush.auth").put("replyAddress", r.nextBoolean() ? "r" : 5)
            .put("body", List.of(new JsonObject(), new JsonObject().put("userId", new JsonObject()).put("sessionId", 1), "x",
                new JsonObject().put("userId", "").put("sessionId", ""), new JsonObject().put("userId", "u".repeat(300)).put("sessionId", "s")).get(r.nextInt(5))).encode();
      case 11: // auth with a valid shape (right or wrong session)
        return good.encode();
      case 12: // publish / send anywhere
        return new JsonObject().put("type", r.nextBoolean() ? "publish" : "send").put("address", "user." + r.nextInt(5)).put("body", "spoof").encode();
      case 13:
        return new JsonObject().put("type", "ping").encode();
      case 14:
        return new JsonObject().put("type", "\u0000\uFFFF").put("address", "\uD800").encode();
      default: // huge numbers and odd keys
        return "{\"type\":\"register\",\"address\":\"user.1\",\"n\":1e999999,\"__proto__\":{}}";
    }
  }

  @Test
  void fuzzedFramesGetErrorsNeverHurtTheNode() {
    Await.result(services.auth().set("f1", "s"));
    Await.result(services.auth().set("good", "s"));
    long heapBefore = usedHeapAfterGc();
    Random r = new Random(20261125);
    List<FrameClient> clients = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      clients.add(Await.result(FrameClient.connect(vertx, node.edgePort())));
    }
    int sent = 0;
    for (int i = 0; i < FRAMES; i++) {
      FrameClient c = clients.get(i % CLIENTS);
      if (c.closed().isComplete()) {
        c = Await.result(FrameClient.connect(vertx, node.edgePort()));
        clients.set(i % CLIENTS, c);
      }
      if (r.nextInt(50) == 0) {
        c.sendText(frame(r, i)); // interleave without waiting
      } else {
        Await.result(c.sendText(frame(r, i)).recover(e -> Future.succeededFuture()));
      }
      sent++;
    }
    // every client still gets answers: one ping round-trip as a barrier through an err frame
    for (FrameClient c : clients) {
      if (!c.closed().isComplete()) {
        String marker = "barrier-" + System.identityHashCode(c);
        c.send(new JsonObject().put("type", "register").put("address", marker));
        Await.result(Future.any(c.waitFor(f -> marker.equals(f.getString("address"))), c.closed()), 10_000);
      }
    }
    long errFrames = clients.stream().mapToLong(c -> c.frames().stream().filter(f -> "err".equals(f.getString("type"))).count()).sum();
    long internal = clients.stream().mapToLong(c -> c.frames().stream()
        .filter(f -> "internal_error".equals(f.getString("body")) || "internal_error".equals(f.getString("message"))).count()).sum();
    System.out.printf("fuzz: frames sent %d, err frames %d, internal errors %d%n", sent, errFrames, internal);
    assertEquals(FRAMES, sent);
    assertEquals(0, internal, "no frame may cause an internal error");
    assertTrue(errFrames > FRAMES / 3, "bad frames are answered with err frames: " + errFrames);

    // a good client is served (from another IP: the fuzzers' wrong sessions got 127.0.0.1 throttled)
    FrameClient good = Await.result(FrameClient.connectWith(vertx, node.edgePort(),
        new io.vertx.core.http.WebSocketClientOptions().setLocalAddress("127.0.0.2")));
    assertEquals("rec", Await.result(good.auth("good", "s")).getString("type"));
    assertEquals(1, Await.result(services.user().publish("good", PushMessage.of("still alive"), null)).sockets());
    Await.result(good.waitFor(f -> "still alive".equals(f.getValue("body"))));

    // everything released
    clients.forEach(c -> Await.result(c.close()));
    Await.result(good.close());
    Await.until(() -> sockets() == 0, 10_000, "socket count back to 0");
    Await.until(() -> Await.result(services.user().listAll(0, null)).items().isEmpty(), 10_000, "no user left online");
    long growth = usedHeapAfterGc() - heapBefore;
    System.out.printf("fuzz: heap growth after GC %d KiB%n", growth / 1024);
    assertTrue(growth < 64L * 1024 * 1024, "heap grew by " + growth);
  }
}
