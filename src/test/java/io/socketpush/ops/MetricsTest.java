package io.socketpush.ops;

import static io.socketpush.ops.Prom.has;
import static io.socketpush.ops.Prom.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.testing.FrameClient;
import io.socketpush.testing.Http;
import io.socketpush.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** With Vert.x metrics on (as the jar's launcher does), /metrics has vertx_*, JVM and socket-push meters that move with traffic. */
class MetricsTest {
  private Vertx vertx;
  private TestNode node;
  private Http http;
  private FrameClient client;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.builder().with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
        .setJvmMetricsEnabled(true).setRegistryName("ops-test-" + UUID.randomUUID())
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)))).build();
    // the event-bus request meters are asserted below: this node's roles call each other over the event bus (with
    // cluster.localCalls, the default, calls between a node's own roles are direct calls and not event-bus requests)
    node = TestNode.start(vertx, "m1", new JsonObject().put("cluster", new JsonObject().put("localCalls", false)))
        .await(20, TimeUnit.SECONDS);
    http = new Http(vertx, node.adminPort());
  }

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close().await(5, TimeUnit.SECONDS);
    }
    vertx.close().await(20, TimeUnit.SECONDS);
  }

  private Future<String> scrape() {
    return http.request(HttpMethod.GET, "/metrics", null, null).map(r -> {
      assertEquals(200, r.status());
      return r.body().getString("raw");
    });
  }

  @Test
  void metricsMoveWithTraffic() throws Throwable {
    VertxTestContext t = new VertxTestContext();
    String[] before = new String[1];
    scrape().compose(text -> {
      before[0] = text;
      return http.call("auth", "set", new JsonObject().put("userId", "u1").put("sessionId", "s1"));
    }).compose(r -> http.call("channel", "subscribe", new JsonObject().put("userId", "u1").put("channelId", "news")))
        .compose(r -> FrameClient.connect(vertx, node.edgePort()))
        .compose(c -> {
          client = c;
          return c.auth("u1", "wrong");
        })
        .compose(err -> {
          t.verify(() -> assertEquals("err", err.getString("type")));
          return client.auth("u1", "s1");
        })
        .compose(ok -> {
          t.verify(() -> assertEquals("rec", ok.getString("type")));
          return http.call("user", "publish", new JsonObject().put("userId", "u1").put("message", new JsonObject().put("text", "hi")));
        })
        .compose(r -> client.waitFor(f -> "user.u1".equals(f.getString("address"))))
        .compose(f -> http.call("channel", "publish", new JsonObject().put("channelId", "news").put("message", "x")))
        .compose(r -> client.waitFor(f -> "channel.news".equals(f.getString("address"))))
        .compose(f -> scrape())
        .compose(first -> scrape()) // the second scrape also sees the worker pool the first one used
        .onComplete(t.succeeding(after -> t.verify(() -> {
          String b = before[0];
          // Vert.x and JVM metrics
          assertTrue(has(after, "vertx_http_server_"), "vertx http server metrics");
          assertTrue(has(after, "vertx_eventbus_"), "vertx event bus metrics");
          assertTrue(has(after, "vertx_pool_"), "vertx pool metrics");
          assertTrue(has(after, "jvm_memory_used_bytes"), "jvm metrics");
          // our meters, per node
          assertEquals(0.0, value(b, "socketpush_sockets_open", "node=\"m1\""));
          assertEquals(1.0, value(after, "socketpush_sockets_open", "node=\"m1\""));
          assertEquals(1.0, value(after, "socketpush_sockets_authenticated", "node=\"m1\""));
          assertEquals(value(b, "socketpush_auth_failures_total", "reason=\"AUTH_FAILED\"") + 1,
              value(after, "socketpush_auth_failures_total", "reason=\"AUTH_FAILED\""));
          assertTrue(value(after, "socketpush_frames_in_total") >= value(b, "socketpush_frames_in_total") + 2);
          assertTrue(value(after, "socketpush_frames_out_total") >= value(b, "socketpush_frames_out_total") + 4);
          for (String kind : new String[] {"user", "channel"}) {
            String k = "kind=\"" + kind + "\"";
            assertEquals(value(b, "socketpush_messages_delivered_total", k) + 1, value(after, "socketpush_messages_delivered_total", k), kind);
            assertEquals(value(b, "socketpush_delivery_latency_seconds_count", k) + 1,
                value(after, "socketpush_delivery_latency_seconds_count", k), kind);
            assertTrue(value(after, "socketpush_delivery_latency_seconds_bucket", k, "le=\"10.0\"") >= 1, kind);
          }
          assertEquals(0.0, value(after, "socketpush_slow_consumer_closes_total", "node=\"m1\""));
          assertTrue(value(after, "socketpush_eventbus_request_seconds_count", "service=\"auth\"", "outcome=\"ok\"") >= 1,
              "auth requests timed");
          assertTrue(value(after, "socketpush_eventbus_request_seconds_count", "service=\"edge\"", "op=\"user\"") >= 1,
              "edge deliveries timed");
          assertTrue(value(after, "socketpush_ring_version", "service=\"auth\"") >= 1);
          assertEquals(1.0, value(after, "socketpush_ring_owned_share", "service=\"channel\"", "node=\"m1\""), 1e-9);
          assertEquals(0.0, value(after, "socketpush_node_draining", "node=\"m1\""));
          t.completeNow();
        })));
    assertTrue(t.awaitCompletion(30, TimeUnit.SECONDS), "timed out");
    if (t.failed()) {
      throw t.causeOfFailure();
    }
  }
}
