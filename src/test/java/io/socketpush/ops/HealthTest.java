package io.socketpush.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import io.socketpush.testing.Http;
import io.socketpush.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/** /health and /ready on the admin port, through a real node, including the drain. */
@ExtendWith(VertxExtension.class)
class HealthTest {

  private static JsonObject check(JsonObject body, String id) {
    for (Object o : body.getJsonArray("checks")) {
      JsonObject c = (JsonObject) o;
      if (id.equals(c.getString("id"))) {
        return c;
      }
    }
    return null;
  }

  @Test
  void readyUntilDraining(Vertx vertx, VertxTestContext t) {
    TestNode[] node = new TestNode[1];
    Http[] http = new Http[1];
    TestNode.start(vertx, "h1", null).compose(n -> {
      node[0] = n;
      http[0] = new Http(vertx, n.adminPort());
      t.verify(() -> assertTrue(String.valueOf(((LoggerContext) LoggerFactory.getILoggerFactory()).getProperty("node")).contains("h1"),
          "log lines are labelled with the node id"));
      return http[0].request(HttpMethod.GET, "/health", null, null);
    }).compose(live -> {
      t.verify(() -> {
        assertEquals(200, live.status());
        assertEquals("UP", live.body().getString("status"));
        assertEquals("h1", check(live.body(), "node").getJsonObject("data").getString("nodeId"));
      });
      return http[0].request(HttpMethod.GET, "/ready", null, null);
    }).compose(ready -> {
      t.verify(() -> {
        assertEquals(200, ready.status(), ready.body().encodePrettily());
        assertEquals("UP", ready.body().getString("status"));
        for (String id : new String[] {"roles", "ring", "cluster", "draining"}) {
          assertEquals("UP", check(ready.body(), id).getString("status"), id);
        }
      });
      // drain: the node says goodbye to the cluster; it must stop taking traffic at once
      return node[0].verticle.services().membership().leave();
    }).compose(v -> http[0].request(HttpMethod.GET, "/ready", null, null))
        .compose(draining -> {
          t.verify(() -> {
            assertEquals(503, draining.status(), draining.body().encodePrettily());
            assertEquals("DOWN", draining.body().getString("status"));
            JsonObject d = check(draining.body(), "draining");
            assertNotNull(d);
            assertEquals("DOWN", d.getString("status"));
            assertTrue(d.getJsonObject("data").getString("reason").contains("draining"));
            assertEquals("UP", check(draining.body(), "roles").getString("status"));
          });
          return http[0].request(HttpMethod.GET, "/health", null, null);
        })
        .onComplete(t.succeeding(live -> t.verify(() -> {
          assertEquals(200, live.status(), "a draining node is alive: do not restart it");
          t.completeNow();
        })));
  }
}
