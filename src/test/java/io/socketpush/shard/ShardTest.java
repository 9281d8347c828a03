package io.socketpush.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.cluster.Addresses;
import io.socketpush.cluster.Membership;
import io.socketpush.config.NodeConfig.Role;
import io.socketpush.delivery.Retry;
import io.socketpush.error.Failure;
import io.socketpush.testing.Await;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Calls in flight to an owner that leaves the ring (issue 12, item 2): the owner here never answers (a dead
 * node, as the event bus sees one) and the request timeout is a minute, so only the ring change can end
 * the calls: re-sendable calls then complete at the new owner, calls that must not be applied twice fail
 * UNAVAILABLE, and with no instance of the role left both fail UNAVAILABLE.
 */
class ShardTest {
  static final long TIMEOUT_MS = 60_000;
  final Vertx vertx = Vertx.vertx();
  final Context ctx = vertx.getOrCreateContext();
  Membership membership;
  Shard<Echo> shard;
  final List<String> received = new CopyOnWriteArrayList<>();

  /** A service that answers its node's name, as a proxy would call it. */
  interface Echo {
    Future<String> call(String key);
  }

  @BeforeEach
  void start() {
    membership = new Membership(vertx, new JsonObject().put("nodeId", "client").put("roles", new JsonArray())
        .put("startedAt", 1L), 1_000, 600_000, 64);
    Await.on(ctx, membership::start);
    shard = new Shard<>(vertx, membership, Role.AUTH, "echo", (v, address, timeout) -> key -> v.eventBus()
        .<String>request(address, key, new DeliveryOptions().setSendTimeout(timeout)).map(m -> m.body()), TIMEOUT_MS);
    // "dead" never answers; "live" answers with its name
    vertx.eventBus().consumer(Addresses.service("echo", "dead"), m -> received.add("dead:" + m.body()));
    vertx.eventBus().<String>consumer(Addresses.service("echo", "live"), m -> {
      received.add("live:" + m.body());
      m.reply("live");
    });
    heartbeat("dead", "hb");
    heartbeat("live", "hb");
    Await.until(() -> membership.ring(Role.AUTH).members().size() == 2, 5_000, "two auth nodes in the ring");
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
  }

  private void heartbeat(String nodeId, String kind) {
    ctx.runOnContext(v -> vertx.eventBus().publish(Addresses.MEMBERSHIP, new JsonObject().put("nodeId", nodeId)
        .put("roles", new JsonArray().add("auth")).put("startedAt", 2L), new DeliveryOptions().addHeader("kind", kind)));
  }

  /** Starts a call on the test's context (as a verticle would); its future, completed on that context. */
  private Future<String> onContext(Supplier<Future<String>> call) {
    Promise<String> p = Promise.promise();
    ctx.runOnContext(v -> call.get().onComplete(p));
    return p.future();
  }

  /** Keys the dead node owns. */
  private List<String> keysOfDead(int n) {
    return IntStream.range(0, 1_000).mapToObj(i -> "k" + i)
        .filter(k -> membership.ring(Role.AUTH).owner(k).orElseThrow().equals("dead")).limit(n).toList();
  }

  @Test
  void callsInFlightToANodeThatLeftAreResentOrFailFastAndNothingIsLeftTracked() {
    List<String> keys = keysOfDead(4);
    List<Future<String>> resent = keys.stream().map(k -> onContext(() -> shard.route(k, s -> s.call(k)))).toList();
    List<Future<String>> once = keys.stream().map(k -> onContext(() -> shard.routeOnce(k, s -> s.call(k)))).toList();
    Await.until(() -> received.stream().filter(r -> r.startsWith("dead:")).count() == 8, 5_000, "calls reached the dead owner");
    assertEquals(Map.of("dead", 8), shard.inFlight());

    heartbeat("dead", "leave");

    for (Future<String> f : resent) {
      assertEquals("live", Await.result(f), "re-sent to the new owner");
    }
    for (Future<String> f : once) {
      assertEquals(Failure.UNAVAILABLE, Failure.of(Await.failure(f)), "not re-sent: fails UNAVAILABLE");
    }
    assertEquals(Map.of(), shard.inFlight());
    for (String k : keys) {
      assertTrue(received.contains("live:" + k), received.toString());
    }
  }

  @Test
  void callsInFlightWhenTheLastInstanceLeavesFailUnavailable() {
    heartbeat("live", "leave");
    Await.until(() -> membership.ring(Role.AUTH).members().equals(java.util.Set.of("dead")), 5_000, "only dead left");
    Future<String> call = onContext(() -> shard.route("k1", s -> s.call("k1")));
    Await.until(() -> received.contains("dead:k1"), 5_000, "call reached the dead owner");
    heartbeat("dead", "leave");
    assertEquals(Failure.UNAVAILABLE, Failure.of(Await.failure(call)));
    assertEquals(Failure.UNAVAILABLE, Failure.of(Await.failure(shard.route("k2", s -> s.call("k2")))), "no instance: at once");
  }

  /** A shard whose calls time out after 300 ms (the dead node never answers). */
  private Shard<Echo> quickShard() {
    return new Shard<>(vertx, membership, Role.AUTH, "echo", (v, address, timeout) -> key -> v.eventBus()
        .<String>request(address, key, new DeliveryOptions().setSendTimeout(timeout)).map(m -> m.body()), 300);
  }

  @Test
  void aTimedOutCallIsStillResentWhenItsOwnerLeavesTheRingSoonAfter() throws InterruptedException {
    Shard<Echo> quick = quickShard();
    String key = keysOfDead(1).get(0);
    Future<String> resent = onContext(() -> quick.route(key, s -> s.call(key)));
    Future<String> once = onContext(() -> quick.routeOnce(key, s -> s.call(key)));
    Await.until(() -> received.stream().filter(r -> r.equals("dead:" + key)).count() == 2, 5_000, "calls reached the dead owner");
    assertTrue(Retry.timedOut(Await.failure(once)), "a call that must not be applied twice fails with its timeout");
    Thread.sleep(500); // the re-sendable call's 300 ms timeout has passed
    assertFalse(resent.isComplete(), "a timed-out re-sendable call waits for the ring a while");
    assertEquals(Map.of("dead", 1), quick.inFlight());

    heartbeat("dead", "leave"); // the death is detected after the timeout

    assertEquals("live", Await.result(resent), "re-sent to the new owner");
    assertEquals(Map.of(), quick.inFlight());
  }

  @Test
  void aTimedOutCallWhoseOwnerStaysInTheRingFailsWithItsTimeoutAfterTheGrace() {
    Shard<Echo> quick = quickShard();
    String key = keysOfDead(1).get(0);
    long t0 = System.nanoTime();
    Future<String> call = onContext(() -> quick.route(key, s -> s.call(key)));
    Throwable err = Await.failure(call);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(Retry.timedOut(err), "the timeout: " + err);
    assertTrue(ms >= 300 + Shard.TIMEOUT_GRACE_MS, "failed only after the grace: " + ms + " ms");
    assertEquals(Map.of(), quick.inFlight());
    assertFalse(received.contains("live:" + key), "not sent elsewhere");
  }
}
