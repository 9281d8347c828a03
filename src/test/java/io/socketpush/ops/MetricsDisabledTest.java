package io.socketpush.ops;

import static io.socketpush.ops.Prom.has;
import static io.socketpush.ops.Prom.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.testing.FrameClient;
import io.socketpush.testing.Http;
import io.socketpush.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Without Vert.x metrics, /metrics still answers: socket-push and JVM meters, and a comment saying why. */
@ExtendWith(VertxExtension.class)
class MetricsDisabledTest {

  @Test
  void ownMetersWithoutVertxMetrics(Vertx vertx, VertxTestContext t) {
    TestNode.start(vertx, "plain", null).compose(node -> {
      Http http = new Http(vertx, node.adminPort());
      return FrameClient.connect(vertx, node.edgePort())
          .compose(c -> http.request(HttpMethod.GET, "/metrics", null, null));
    }).onComplete(t.succeeding(r -> t.verify(() -> {
      assertEquals(200, r.status());
      String text = r.body().getString("raw");
      assertTrue(text.startsWith("# socket-push: Vert.x metrics are disabled"), text.substring(0, Math.min(200, text.length())));
      assertFalse(has(text, "vertx_"), "no vertx_ metrics when they are disabled");
      assertTrue(has(text, "jvm_memory_used_bytes"));
      assertEquals(1.0, value(text, "socketpush_sockets_open", "node=\"plain\""));
      assertEquals(0.0, value(text, "socketpush_sockets_authenticated", "node=\"plain\""));
      t.completeNow();
    })));
  }
}
