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
