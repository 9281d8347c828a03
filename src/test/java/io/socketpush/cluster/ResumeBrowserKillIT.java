package io.socketpush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.socketpush.message.PushMessage;
import io.socketpush.stream.PublishResult;
import io.socketpush.testing.Await;
import io.socketpush.testing.Chromium;
import io.socketpush.testing.Closer;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15's browser test with a real process death: the webroot JS client in Chromium, on the example cluster's
 * node1 edge (a JVM of its own), SIGKILL of that JVM; the page reconnects to node3's edge with its positions and
 * shows every sequence number of its user stream and its channel once and in order, including those published
 * while it was between sockets. The publisher retries every failure with the same idempotency key (a publish whose
 * edge just died may fail 503 before the cluster dropped it), so every number is acknowledged exactly once.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ResumeBrowserKillIT {
  static final String USER = "bk1";
  static final String CHANNEL = "bkseq";
  static ExampleCluster c;
  static Chromium chromium;

  @BeforeAll
  static void start() throws Exception {
    // node3's edge must accept sockets from the page node1 served
    c = new ExampleCluster().start("sp-browserkill", new JsonObject().put("edge", new JsonObject()
        .put("allowedOrigins", new JsonArray().add("http://127.0.0.1:8080"))));
    chromium = Chromium.start(options -> { });
  }

  @AfterAll
  static void stop() throws Exception {
    Closer.all(chromium, c == null ? null : c::stop);
  }

  /** Publishes until acknowledged (same key every time), 30 s at most. */
  static void publish(int n) {
    retry(() -> c.client.user().publish(USER, PushMessage.of(n), "u-" + n), "user " + n);
    retry(() -> c.client.channel().publish(CHANNEL, PushMessage.of(n), "c-" + n), "channel " + n);
  }

  static void retry(Supplier<Future<PublishResult>> call, String what) {
    long until = System.currentTimeMillis() + 30_000;
    while (true) {
      try {
        Await.result(call.get(), 10_000);
        return;
      } catch (RuntimeException | AssertionError e) {
        if (System.currentTimeMillis() > until) {
          throw new AssertionError("publish " + what + " never acknowledged", e);
        }
        try {
          Thread.sleep(200);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new AssertionError(ie);
        }
      }
    }
  }

  @Test
  void thePageOfAKilledEdgeJvmGetsEveryMessageOnceInOrder() throws Exception {
    Await.result(c.client.auth().set(USER, "s"));
    Await.result(c.client.channel().subscribe(USER, CHANNEL));
    chromium.driver.get("http://127.0.0.1:8080/");
    chromium.js("window.got = {}; window.states = []; window.resumes = [];"
        + "window.sp = SocketPush.connect({urls: ['http://127.0.0.1:8080/eventbus', 'http://127.0.0.1:8083/eventbus'],"
        + " userId: '" + USER + "', sessionId: 's', reconnectMin: 300, reconnectMax: 1000,"
        + " onMessage: function (a, b) { (window.got[a] = window.got[a] || []).push(b); },"
        + " onResume: function (r) { window.resumes.push(JSON.stringify(r)); },"
        + " onStatus: function (t, s) { window.states.push(s); } });");
    chromium.waitUntil("connected to node1's edge", "window.states.indexOf('connected') >= 0");
    for (int i = 1; i <= 5; i++) {
      publish(i);
    }
    chromium.waitUntil("1..5 through node1", "(window.got['channel." + CHANNEL + "'] || []).length === 5 && (window.got['user." + USER + "'] || []).length === 5");

    c.node(1).signal("KILL");
    Await.until(() -> !c.node(1).alive(), 10_000, "node1 dead after SIGKILL");
    for (int i = 6; i <= 15; i++) {
      publish(i);
    }
    chromium.waitUntil("resumed on node3's edge", "window.resumes.length === 1");
    for (int i = 16; i <= 20; i++) {
      publish(i);
    }
    chromium.waitUntil("1..20 of both streams", "window.got['channel." + CHANNEL + "'].length >= 20 && window.got['user." + USER + "'].length >= 20");
    assertEquals("{\"user." + USER + "\":true,\"channel." + CHANNEL + "\":true}", String.valueOf(chromium.js("return window.resumes[0];")));
    String expected = "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20";
    assertEquals(expected, String.valueOf(chromium.js("return window.got['user." + USER + "'].join(',');")), "user stream: once each, in order");
    assertEquals(expected, String.valueOf(chromium.js("return window.got['channel." + CHANNEL + "'].join(',');")), "channel stream: once each, in order");
  }
}
