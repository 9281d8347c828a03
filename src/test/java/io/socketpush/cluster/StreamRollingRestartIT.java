package io.socketpush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.socketpush.error.Failure;
import io.socketpush.message.PushMessage;
import io.socketpush.stream.PublishResult;
import io.socketpush.testing.Await;
import io.socketpush.testing.FrameClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * {@link StreamFaultBase}'s clients and publisher through a rolling restart of the example cluster: SIGTERM and
 * start of node1 and node2 (node3 too with -Dstreams.rollAll=true: see the known defect in the test), one after
 * the other, each once it is ready again; then the whole run. A cluster of its own.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class StreamRollingRestartIT extends StreamFaultBase {
  @Test
  @Order(1)
  void rollingRestart() throws Exception {
    long from = System.currentTimeMillis();
    // KNOWN DEFECT (README, Streams): node3's restart hands the grid's coordinator role to this test JVM (a
    // client-only member, by then the oldest); in 4 of 12 runs this JVM then stopped advancing the rebalances it
    // had started (org.infinispan.CLUSTER: "Starting rebalance" for every cache, one "Finished", then nothing
    // until the test gave up and the JVM left, when the rest advanced at once), and the restarted node3 waited
    // in its initial state transfer. Cause not found. node3's restart runs with -Dstreams.rollAll=true only.
    int last = Boolean.getBoolean("streams.rollAll") ? 3 : 2;
    for (int n = 1; n <= last; n++) {
      int node = n;
      c.node(n).signal("TERM");
      Await.until(() -> !c.node(node).alive(), 30_000, "node" + n + " exited after SIGTERM");
      // and starts again only once the grid has recovered from the leave: when the node that left was the grid's
      // coordinator (node3 at the end: the oldest member), a node joining while the new coordinator (this JVM)
      // still recovers the cluster's cache topologies blocked in Infinispan's initial state transfer for over
      // 120 s in 2 of 7 runs (node3, started 7 s after it stopped)
      long left = System.currentTimeMillis();
      c.untilOrDump(() -> "HEALTHY".equals(GridHealth.status(c.vertx)), 60_000, "the grid recovered from node" + n + "'s leave");
      System.out.printf("[measure] rolling restart: grid HEALTHY %d ms after node%d left%n", System.currentTimeMillis() - left, n);
      restartIfDead(n);
      // the next node goes once the cluster agrees again and the grid's rebalance after the join is done, as a
      // careful rolling deploy does (the readiness probe's grid check; node3 has no admin port, so this JVM, a
      // member, reads the same health): stopping a node mid-rebalance can block the next joiner (GridHealth)
      c.untilOrDump(() -> ExampleCluster.servers(c.api1).containsAll(List.of("node1", "node2", "node3")), 60_000, "node" + n + " in node1's status");
      // the restarted node's own readiness (roles bound, so every cache it runs started; its grid settled): in both
      // runs where node3's restart blocked in Infinispan's initial state transfer, node3 (the grid's coordinator)
      // had been stopped 0.3-0.6 s after node2 came back, while node2's caches were still joining
      if (n < 3) { // node3 has no admin port
        long back = System.currentTimeMillis();
        c.untilOrDump(() -> StreamFaultsIT.ready(node == 1 ? c.api1 : c.api2), 60_000, "node" + n + " ready");
        System.out.printf("[measure] rolling restart: node%d ready %d ms after it was in node1's status%n", n, System.currentTimeMillis() - back);
      }
      long t0 = System.currentTimeMillis();
      String before = GridHealth.status(c.vertx);
      c.untilOrDump(() -> "HEALTHY".equals(GridHealth.status(c.vertx)), 60_000, "the grid settled after node" + n + "'s start");
      System.out.printf("[measure] rolling restart: grid %s when node%d was back, HEALTHY after %d ms%n", before, n, System.currentTimeMillis() - t0);
    }
    Thread.sleep(3_000);
    Ledger l = settle(from, "rolling restart (SIGTERM + start, node1, node2" + (last == 3 ? ", node3)" : ")"));
    assertClean(l, "rolling restart");
  }

  @Test
  @Order(9)
  void wholeRun() {
    assertWholeRun();
  }
}
