package io.socketpush.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.bench.LoadGen.Stream;
import io.socketpush.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.BitSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The load generator counts correctly on tiny sizes (20 sockets, a few hundred messages), against the
 * baseline server and against a real one-node socket-push in this JVM. It asserts counting, never speed.
 */
class BenchTest {
  private static final int SOCKETS = 20;
  private static final int GROUPS = 4;

  private Vertx vertx;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    LoadGen.await(vertx.close(), 30_000);
  }

  @Test
  void tallyCountsDuplicatesLossAndUnexpected() {
    Tally t = new Tally();
    for (int s : new int[] {0, 1, 1, 3, 7}) {
      t.record(s);
    }
    BitSet accepted = new BitSet();
    accepted.set(0, 4); // 0..3 accepted; 2 never arrived; 7 arrived but was never accepted
    assertEquals(5, t.received());
    assertEquals(4, t.unique());
    assertEquals(1, t.duplicates());
    assertEquals(1, t.lost(accepted));
    assertEquals(1, t.unexpected(accepted));
  }

  @Test
  void countsEveryDeliveryAgainstTheBaseline() {
    BaselineServer server = new BaselineServer(0, 0);
    LoadGen.await(vertx.deployVerticle(server), 10_000);
    try (LoadGen gen = gen(server.edgePort(), server.adminPort())) {
      assertEquals(0, gen.setup(8).getInteger("failed"));
      JsonObject c = gen.connect(8, 10_000);
      assertEquals(SOCKETS, c.getInteger("connected"), c.encode());

      JsonObject fan = gen.runRate("fanout", Stream.ALL, 50, 2, 5_000);
      assertComplete(fan, 100, 100L * SOCKETS);

      JsonObject groups = gen.runRate("groups", Stream.GROUP, 100, 2, 5_000);
      assertComplete(groups, 200, 200L * SOCKETS / GROUPS);

      JsonObject user = gen.runRate("user", Stream.USER, 100, 2, 5_000);
      assertComplete(user, 200, 200);

      // two closed sockets miss every message of the next run: loss is counted per recipient
      gen.closeSocket(3);
      gen.closeSocket(4);
      JsonObject lossy = gen.runRate("lossy", Stream.ALL, 50, 1, 2_000);
      assertEquals(50, lossy.getLong("accepted"), lossy.encode());
      assertEquals(2 * 50, lossy.getLong("lost"), lossy.encode());
      assertEquals(2, lossy.getInteger("lossyRecipients"), lossy.encode());
      assertEquals(50L * (SOCKETS - 2), lossy.getLong("unique"), lossy.encode());
      assertEquals(0, lossy.getLong("duplicates"), lossy.encode());
    }
  }

  @Test
  void countsEveryDeliveryAgainstSocketPush() {
    TestNode node = LoadGen.await(TestNode.start(vertx, "bench-test", null), 30_000);
    try (LoadGen gen = gen(node.edgePort(), node.adminPort())) {
      JsonObject setup = gen.setup(8);
      assertEquals(0, setup.getInteger("failed"), setup.encode());
      JsonObject c = gen.connect(8, 10_000);
      assertEquals(SOCKETS, c.getInteger("connected"), c.encode());

      JsonObject user = gen.runRate("user", Stream.USER, 100, 2, 5_000);
      assertComplete(user, 200, 200);
      assertEquals(200, user.getLong("reachedReported"), user.encode());

      JsonObject fan = gen.runRate("fanout", Stream.ALL, 20, 1, 5_000);
      assertComplete(fan, 20, 20L * SOCKETS);
      assertEquals(20L * SOCKETS, fan.getLong("reachedReported"), fan.encode());
    }
  }

  @Test
  void resumedSocketsGetExactlyTheMissedMessagesInOrder() {
    TestNode node = LoadGen.await(TestNode.start(vertx, "bench-resume", null), 30_000);
    try (LoadGen gen = gen(node.edgePort(), node.adminPort())) {
      JsonObject r = gen.resume(6, 12, 3, 10_000);
      String e = r.encode();
      assertEquals(6, r.getInteger("complete"), e);
      assertEquals(0, r.getInteger("failed"), e);
      assertEquals(6 * 12, r.getLong("replayed"), e);
      assertEquals(0, r.getInteger("publishFailed"), e);
      assertTrue(r.getDouble("maxMs") >= r.getDouble("p50Ms"), e);
    }
  }

  @Test
  void resumeCheckCountsEachWayASocketCanMissItsReplay() {
    java.util.function.LongFunction<ResumeCheck.Frame> f = k -> new ResumeCheck.Frame(40 + k, "e1", k);
    java.util.List<ResumeCheck.Frame> three = java.util.List.of(f.apply(1), f.apply(2), f.apply(3));
    assertEquals(ResumeCheck.Outcome.OK, ResumeCheck.check(true, 40, "e1", three, 3, false));
    assertEquals(ResumeCheck.Outcome.NOT_RECOVERED, ResumeCheck.check(false, 40, "e1", three, 3, false));
    assertEquals(ResumeCheck.Outcome.NOT_RECOVERED, ResumeCheck.check(null, 40, "e1", three, 3, false), "no auth reply");
    assertEquals(ResumeCheck.Outcome.TIMED_OUT, ResumeCheck.check(true, 40, "e1", three.subList(0, 2), 3, true));
    assertEquals(ResumeCheck.Outcome.MISSING, ResumeCheck.check(true, 40, "e1", three.subList(0, 2), 3, false), "socket closed");
    assertEquals(ResumeCheck.Outcome.EXTRA, ResumeCheck.check(true, 40, "e1",
        java.util.List.of(f.apply(1), f.apply(2), f.apply(2), f.apply(3)), 3, false), "a duplicate");
    assertEquals(ResumeCheck.Outcome.OUT_OF_ORDER, ResumeCheck.check(true, 40, "e1",
        java.util.List.of(f.apply(1), f.apply(3), f.apply(2)), 3, false));
    assertEquals(ResumeCheck.Outcome.OUT_OF_ORDER, ResumeCheck.check(true, 41, "e1", three, 3, false), "a replay starting one too early");
    assertEquals(ResumeCheck.Outcome.OUT_OF_ORDER, ResumeCheck.check(true, 40, "e2", three, 3, false), "another epoch");
  }

  @Test
  void targetsAndTheirStreamsConfig() {
    assertEquals(new Bench.Kind("socketpush", true, false), Bench.Kind.of("socketpush"));
    assertEquals(new Bench.Kind("socketpush", true, true), Bench.Kind.of("socketpush-ref"));
    assertEquals(new Bench.Kind("cluster", false, false), Bench.Kind.of("cluster-nohist"));
    assertEquals(new Bench.Kind("baseline", false, false), Bench.Kind.of("baseline"));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Bench.Kind.of("baseline-nohist"));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Bench.Kind.of("clusterx"));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Bench.Kind.of("socketpush-ref-nohist"));
    assertEquals(java.util.List.of(1, 50), Bench.resumeConcurrency("1, 50"));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Bench.resumeConcurrency("0"));

    // the -nohist default turns history off for user and channel streams alike (the server's own parser)
    JsonObject off = Bench.serverExtras(Bench.NOHIST_STREAMS, 600_000);
    io.socketpush.config.StreamRules rules = io.socketpush.config.StreamRules.from(off.getJsonObject("streams"));
    for (String stream : new String[] {"user.1", "user.u42", "channel.x", "channel.g7"}) {
      assertEquals(false, rules.forStream(stream).enabled(), stream);
    }
    assertEquals(600_000L, off.getJsonObject("edge").getLong("removeUserAfterDisconnectTimeout"));
    JsonObject on = Bench.serverExtras("", 1_000);
    assertEquals(null, on.getValue("streams"), "empty: the server's defaults");
    assertTrue(io.socketpush.config.StreamRules.defaults().forStream("user.1").enabled());
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Bench.serverExtras("{rules", 1));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> Bench.serverExtras("{\"rules\":[{\"match\":\"*\",\"historySize\":-1}]}", 1));
  }

  private LoadGen gen(int edgePort, int adminPort) {
    return new LoadGen(new LoadGen.Options("127.0.0.1", edgePort, adminPort, SOCKETS, GROUPS, 2, 4, 100, false));
  }

  private static void assertComplete(JsonObject run, long publishes, long deliveries) {
    String r = run.encode();
    assertEquals(publishes, run.getLong("accepted"), r);
    assertEquals(0, run.getLong("failed"), r);
    assertEquals(deliveries, run.getLong("expected"), r);
    assertEquals(deliveries, run.getLong("unique"), r);
    assertEquals(deliveries, run.getLong("received"), r);
    assertEquals(0, run.getLong("lost"), r);
    assertEquals(0, run.getLong("duplicates"), r);
    assertEquals(0, run.getLong("unexpected"), r);
    assertTrue(run.getDouble("maxMs") >= run.getDouble("p50Ms"), r);
  }
}
