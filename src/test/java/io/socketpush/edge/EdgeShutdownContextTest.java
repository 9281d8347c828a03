package io.socketpush.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.testing.Await;
import io.socketpush.testing.FrameClient;
import io.socketpush.testing.TestNode;
import io.socketpush.testing.TwoVertx;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Shutdown on the right thread (issue 12, item 5): stopping a node closes its sockets from the edge
 * verticle's own context, never from the node verticle's (which would mutate the edge's maps concurrently
 * with deliveries). {@code EdgeNode.closeAll} refuses to run off the edge's context; the Vert.x exception
 * handler sees that refusal.
 */
class EdgeShutdownContextTest {
  @RegisterExtension
  final TwoVertx vx = new TwoVertx();
  final Vertx vertx = vx.server;
  final Vertx clients = vx.clients;

  @Test
  void stoppingANodeClosesItsSocketsOnTheEdgesOwnContext() {
    List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    vertx.exceptionHandler(uncaught::add);
    TestNode node = Await.result(TestNode.start(vertx, "ctx-node", null));
    Await.result(node.verticle.services().auth().set("u1", "s1"));
    FrameClient c = Await.result(FrameClient.connect(clients, node.edgePort()));
    assertEquals("rec", Await.result(c.auth("u1", "s1")).getString("type"));

    Await.result(node.stop(), 30_000);
    Await.result(c.closed(), 10_000);

    assertTrue(c.frames().stream().anyMatch(f -> "err".equals(f.getString("type")) && "shutdown".equals(f.getString("body"))),
        "the socket was told 'shutdown': " + c.frames());
    assertEquals(List.of(), uncaught.stream().map(String::valueOf).toList(), "nothing ran on the wrong context");
  }
}
