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
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The node-wide outbound budget: 500 authenticated sockets subscribed to one channel stop reading (paused,
 * 4 KiB receive buffers); a flood on the channel would queue up to 500 x maxWriteQueueSize (500 MiB) without
 * it. With {@code edge.maxQueuedBytes} = 4 MiB the node never holds more than the budget (plus one frame),
 * closes the slowest sockets as slow consumers, and a reading client on the same channel loses nothing.
 */
class OutboundBudgetTest {
  private static final long BUDGET = 4L << 20;
  static Vertx vertx;
  static Vertx clientVertx;
  static TestNode node;
  static Services services;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    clientVertx = Vertx.vertx();
    node = Await.result(TestNode.start(vertx, "budget", new JsonObject().put("edge", new JsonObject()
        .put("maxQueuedBytes", BUDGET).put("maxFramesPerSecond", 1_000))));
    services = node.verticle.services();
  }

  @AfterAll
  static void stop() {
    Await.result(clientVertx.close(), 60_000);
    Await.result(vertx.close(), 60_000);
  }

  private JsonObject edgeStats() {
    return Await.result(services.cluster("budget").status()).getJsonArray("nodes").getJsonObject(0).getJsonObject("edge");
  }

  @Test
  void pausedSocketsAreClosedBeyondTheNodeBudget() {
    List<FrameClient> paused = new ArrayList<>();
    for (int i = 0; i < 500; i += 50) {
      List<Future<FrameClient>> batch = new ArrayList<>();
      for (int k = i; k < i + 50; k++) {
        String user = "slow-" + k;
        batch.add(services.auth().set(user, "s").compose(v -> services.channel().subscribe(user, "flood"))
            .compose(v -> FrameClient.connectWith(clientVertx, node.edgePort(), new WebSocketClientOptions()
                .setReceiveBufferSize(4_096).setMaxConnections(1_000)))
            .compose(c -> c.auth(user, "s").map(r -> {
              if (!"rec".equals(r.getString("type"))) {
                throw new AssertionError("auth of " + user + ": " + r);
              }
              return c;
            })));
      }
      paused.addAll(Await.result(Future.all(batch), 60_000).list());
    }
    Await.result(services.auth().set("reader", "s").compose(v -> services.channel().subscribe("reader", "flood")));
    FrameClient reader = Await.result(FrameClient.connect(clientVertx, node.edgePort()));
    assertEquals("rec", Await.result(reader.auth("reader", "s")).getString("type"));
    paused.forEach(FrameClient::pause);
    assertEquals(501, edgeStats().getInteger("authenticated"));

    String payload = "x".repeat(8_000);
    long maxQueued = 0;
    int sent = 0;
    long deadline = System.currentTimeMillis() + 60_000;
    while (sent < 400 && System.currentTimeMillis() < deadline) {
      Await.result(services.channel().publish("flood", PushMessage.of(new JsonObject().put("n", sent).put("p", payload)), null));
      sent++;
      JsonObject s = edgeStats();
      maxQueued = Math.max(maxQueued, s.getLong("queuedBytes"));
      if (s.getLong("budgetCloses") >= 100 && sent >= 100) {
        break;
      }
    }
    int n = sent;
    Await.until(() -> reader.framesFor("channel.flood").size() >= n, 20_000, "the reading client gets every message");
    JsonObject s = edgeStats();
    System.out.printf("outbound budget %d bytes, 500 paused sockets, %d publishes of 8 KB: max queued %d bytes,"
        + " %d sockets closed by the budget, %d sockets left%n", BUDGET, sent, maxQueued, s.getLong("budgetCloses"),
        s.getInteger("sockets"));
    assertTrue(s.getLong("budgetCloses") >= 100, "the budget closed slow sockets: " + s);
    assertTrue(maxQueued <= BUDGET + 16_384, "queued bytes stay within the budget plus one frame: " + maxQueued);
    assertEquals(n, reader.framesFor("channel.flood").size(), "the reader lost nothing");
    assertFalse(reader.closed().isComplete(), "the reader was not closed");
    paused.forEach(c -> c.close());
    reader.close();
  }
}
