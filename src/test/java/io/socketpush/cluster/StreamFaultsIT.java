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
 * {@link StreamFaultBase}'s clients and publisher under single faults, on one example cluster: SIGKILL of an
 * edge, SIGKILL of a node owning streams, SIGSTOP of an edge for 15 s, SIGSTOP of a node owning streams for 15 s;
 * then the whole run.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class StreamFaultsIT extends StreamFaultBase {
  @Test
  @Order(1)
  void sigkillOfAnEdge() throws Exception {
    long from = System.currentTimeMillis();
    Thread.sleep(2_000);
    c.node(1).kill();
    c.untilOrDump(() -> !c.client.serverNodes().contains("node1"), 30_000, "node1 dropped");
    Thread.sleep(3_000);
    Ledger l = settle(from, "SIGKILL node1 (edge)");
    restartIfDead(1);
    assertClean(l, "SIGKILL node1");
  }

  @Test
  @Order(2)
  void sigkillOfAStreamOwner() throws Exception {
    long from = System.currentTimeMillis();
    Thread.sleep(2_000);
    c.node(2).kill();
    c.untilOrDump(() -> !c.client.serverNodes().contains("node2"), 30_000, "node2 dropped");
    Thread.sleep(3_000);
    Ledger l = settle(from, "SIGKILL node2 (user+channel owner)");
    restartIfDead(2);
    assertClean(l, "SIGKILL node2");
  }

  @Test
  @Order(3)
  void sigstopOfAnEdgeFor15Seconds() throws Exception {
    // the clients of node1 went to node3 when node1 was killed: send them home first
    for (ResumingClient rc : clients) {
      if (rc.home == 8080 && rc.socket != null) {
        Await.result(rc.socket.close());
      }
    }
    Await.until(() -> clients.stream().allMatch(ResumingClient::open), 30_000, "clients back on their own edge");
    freeze(1, "SIGSTOP node1 (edge) 15 s");
  }

  /**
   * SIGSTOP of node3, which also owns user and channel streams (their history writes time out on it while it is
   * frozen; node2 takes its streams over and continues their offsets). Opt-in until today (a duplicate or a
   * recovered:false in about 1 of 4 runs); those runs froze node3 while node1 was still fenced after its own
   * freeze, so node2 was alone, without a majority. With the wait below it passed 3 of 3 runs.
   */
  @Test
  @Order(4)
  void sigstopOfAStreamOwnerFor15Seconds() throws Exception {
    // node1 was frozen just before: it is back in the view first and serves again only once a majority confirmed it
    // for 5 s (Membership's fence). Freezing node3 before that left node2 alone, no majority: the cluster refused
    // every write and resume (CP), which this scenario is not about (runs until 11:40 today failed that way)
    c.untilOrDump(() -> ready(c.api1) && ready(c.api2), 60_000, "node1 and node2 serving (a majority without node3)");
    freeze(3, "SIGSTOP node3 (edge+user+channel) 15 s");
  }

  /** The node behind this admin port answers /ready with 200 (serving: not fenced, roles bound, grid settled). */
  static boolean ready(io.socketpush.testing.Http api) {
    try {
      return Await.result(api.request(io.vertx.core.http.HttpMethod.GET, "/ready", null, null), 5_000).status() == 200;
    } catch (RuntimeException | AssertionError e) {
      return false;
    }
  }

  static void freeze(int n, String fault) throws Exception {
    long from = System.currentTimeMillis();
    Thread.sleep(2_000);
    c.node(n).signal("STOP");
    try {
      Thread.sleep(15_000);
    } finally {
      c.node(n).signal("CONT");
    }
    c.untilOrDump(() -> c.client.serverNodes().contains("node" + n), 90_000, "node" + n + " back");
    Ledger l = settle(from, fault);
    assertClean(l, fault);
  }

  @Test
  @Order(9)
  void wholeRun() {
    assertWholeRun();
  }
}
