package io.socketpush.browser;

import io.socketpush.config.NodeConfig.Role;
import io.socketpush.testing.Await;
import io.socketpush.testing.Chromium;
import io.socketpush.testing.Closer;
import io.socketpush.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.openqa.selenium.WebDriver;

/**
 * Two edges (edge-a, edge-b) and a Chromium for the browser client's failover tests. The two nodes share one
 * Vert.x event bus, so they form a two-node ring without a cluster manager.
 */
abstract class TwoEdgesBrowser {
  static Vertx vertx;
  static TestNode a;
  static TestNode b;
  static Chromium chromium;
  static WebDriver driver;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    JsonObject conf = new JsonObject().put("edge", new JsonObject().put("allowedOrigins", new JsonArray().add("*")));
    a = Await.result(TestNode.start(vertx, "edge-a", conf));
    b = Await.result(TestNode.start(vertx, "edge-b", conf));
    Await.until(() -> b.verticle.services().membership().ring(Role.EDGE).members().size() == 2, 10_000, "two edges");
    chromium = Chromium.start(options -> { });
    driver = chromium.driver;
  }

  @AfterAll
  static void stop() throws Exception {
    Closer.all(chromium, () -> Await.result(vertx.close(), 30_000));
  }

  /** The SockJS URL of {@code node}'s client port. */
  static String sockJsUrl(TestNode node) {
    return "http://127.0.0.1:" + node.edgePort() + "/eventbus";
  }

  Object js(String script) {
    return chromium.js(script);
  }

  void waitFor(String what, String condition) {
    chromium.waitUntil(what, condition);
  }
}
