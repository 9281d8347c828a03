package io.socketpush.cluster;

import io.socketpush.client.SocketPush;
import io.socketpush.client.SocketPushClient;
import io.socketpush.testing.Await;
import io.socketpush.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The example roles (n1 edge+management, n2 auth+user+channel+management, n3 edge+channel+user) on three clustered
 * Vert.x instances in this JVM with the real Infinispan cluster manager, and a client-only member
 * ({@link SocketPush}, id "java-client") in a fourth, on a private cluster. Counts the event-bus messages every
 * instance sends while {@link #counting}, per {@code "vertx<i> <address>"}.
 */
final class InJvmCluster {
  final LocalCluster cluster = new LocalCluster(4);
  final List<Vertx> instances = new ArrayList<>();
  final Map<String, AtomicInteger> sent = new ConcurrentHashMap<>();
  volatile boolean counting;
  TestNode n1;
  TestNode n2;
  TestNode n3;
  SocketPushClient client;

  /** Starts the three nodes, each with {@code config} applied to its role list, and the client member. */
  static InJvmCluster start(Function<JsonArray, JsonObject> config) {
    InJvmCluster c = new InJvmCluster();
    for (int i = 0; i < 4; i++) {
      c.instances.add(Await.result(c.cluster.vertx(), 60_000));
    }
    c.n1 = Await.result(TestNode.start(c.instances.get(0), "n1", config.apply(new JsonArray().add("edge").add("management"))), 30_000);
    c.n2 = Await.result(TestNode.start(c.instances.get(1), "n2",
        config.apply(new JsonArray().add("auth").add("user").add("channel").add("management"))), 30_000);
    c.n3 = Await.result(TestNode.start(c.instances.get(2), "n3", config.apply(new JsonArray().add("edge").add("channel").add("user"))), 30_000);
    c.client = Await.result(SocketPush.connect(c.instances.get(3), new JsonObject().put("clientId", "java-client")), 30_000);
    for (Vertx v : c.instances) {
      String name = "vertx" + c.instances.indexOf(v);
      v.eventBus().addOutboundInterceptor(ctx -> {
        if (c.counting) {
          c.sent.computeIfAbsent(name + " " + ctx.message().address(), k -> new AtomicInteger()).incrementAndGet();
        }
        ctx.next();
      });
    }
    return c;
  }

  /** Closes every instance still open and restores the cluster config. */
  void stop() {
    List<Future<Void>> closes = new ArrayList<>();
    instances.forEach(v -> closes.add(v.close()));
    Await.result(Future.join(closes), 60_000);
    cluster.restore();
  }
}
