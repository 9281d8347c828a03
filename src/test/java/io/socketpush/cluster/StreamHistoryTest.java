package io.socketpush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.config.NodeConfig.Role;
import io.socketpush.config.StreamRules;
import io.socketpush.message.PushMessage;
import io.socketpush.shard.Services;
import io.socketpush.stream.PublishResult;
import io.socketpush.stream.StreamStore;
import io.socketpush.stream.StreamStore.History;
import io.socketpush.testing.Await;
import io.socketpush.testing.FrameClient;
import io.socketpush.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Stream positions and history (issue 15, step 1) on two clustered Vert.x instances with the real Infinispan
 * config, each running a complete node: offsets +1 per publish, the position in the rec frame's headers,
 * history bounded by size and by TTL, and a new owner continuing the offsets with the same epoch after the
 * owner's instance is closed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StreamHistoryTest {
  static LocalCluster cluster;
  static Vertx va;
  static Vertx vb;
  static TestNode a;
  static TestNode b;
  static Services services;
  static StreamStore store;
  static Vertx sockets;
  static final StreamRules RULES = StreamRules.from(new JsonObject().put("rules", rules()));

  static JsonArray rules() {
    return new JsonArray()
        .add(new JsonObject().put("match", "channel.small-*").put("historySize", 3))
        .add(new JsonObject().put("match", "channel.brief-*").put("historyTtl", 1_500));
  }

  @BeforeAll
  static void start() {
    cluster = new LocalCluster(2);
    va = Await.result(cluster.vertx(), 60_000);
    vb = Await.result(cluster.vertx(), 60_000);
    JsonObject conf = new JsonObject().put("streams", new JsonObject().put("rules", rules()));
    a = Await.result(TestNode.start(va, "a", conf), 30_000);
    b = Await.result(TestNode.start(vb, "b", conf), 30_000);
    services = a.verticle.services();
    Await.until(() -> services.membership().ring(Role.CHANNEL).members().equals(Set.of("a", "b"))
        && b.verticle.services().membership().ring(Role.CHANNEL).members().equals(Set.of("a", "b")), 20_000, "both see both");
    store = Await.result(StreamStore.open(va));
    sockets = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    Await.result(sockets.close(), 30_000);
    Await.result(Future.join(va.close(), vb.close()), 60_000);
    cluster.restore();
  }

  /** A channel id whose owner (on the channel ring) is {@code node}. */
  static String channelOwnedBy(String node, String prefix) {
    for (int i = 0; ; i++) {
      if (services.membership().ring(Role.CHANNEL).owns(node, prefix + i)) {
        return prefix + i;
      }
    }
  }

  static History read(String stream, long since) {
    return Await.result(store.read(stream, RULES.forStream(stream), since, 1_000));
  }

  @Test
  @Order(1)
  void offsetsGrowByOneAndTheRecFrameCarriesThePosition() {
    Await.result(services.auth().set("1", "s"));
    FrameClient c = Await.result(FrameClient.connect(sockets, b.edgePort()));
    assertEquals("rec", Await.result(c.auth("1", "s")).getString("type"));
    List<PublishResult> results = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      results.add(Await.result(services.user().publish("1", PushMessage.of("m" + i), null)));
    }
    String epoch = results.get(0).epoch();
    for (int i = 0; i < 5; i++) {
      assertEquals(i + 1, results.get(i).offset(), results.toString());
      assertEquals(epoch, results.get(i).epoch());
      assertEquals(1, results.get(i).sockets());
    }
    for (int i = 1; i <= 5; i++) {
      String body = "m" + i;
      JsonObject f = Await.result(c.waitFor(x -> body.equals(x.getValue("body"))));
      assertEquals(new JsonObject().put("offset", String.valueOf(i)).put("epoch", epoch), f.getJsonObject("headers"), f.encode());
    }
    // the history holds the five, in order, written before the publishes were acknowledged
    History h = read("user.1", 0);
    assertEquals(epoch, h.epoch());
    assertEquals(5, h.top());
    assertTrue(h.complete());
    assertEquals(List.of("m1", "m2", "m3", "m4", "m5"), h.messages().stream().map(StreamStore.Entry::message).toList());
    assertEquals(List.of("m4", "m5"), read("user.1", 3).messages().stream().map(StreamStore.Entry::message).toList());
    Await.result(c.close());
  }

  @Test
  @Order(2)
  void historyIsBoundedBySize() {
    for (String owner : List.of("a", "b")) {
      String ch = channelOwnedBy(owner, "small-");
      for (int i = 1; i <= 6; i++) {
        assertEquals(i, Await.result(services.channel().publish(ch, PushMessage.of(i), null)).offset());
      }
      History all = read("channel." + ch, 0);
      assertEquals(6, all.top());
      assertEquals(List.of(4L, 5L, 6L), all.messages().stream().map(StreamStore.Entry::offset).toList());
      assertFalse(all.complete(), "offsets 1-3 fell out of the 3-message history");
      History recent = read("channel." + ch, 3);
      assertTrue(recent.complete());
      assertEquals(List.of(4, 5, 6), recent.messages().stream().map(StreamStore.Entry::message).toList());
      // the grid holds the 3 entries of the window, not only a reader that hides older ones: each publish removes
      // the entry that fell out of the size bound (a bulk remove after the meta, not waited for: polled, bounded)
      org.infinispan.Cache<String, String> cache = streamsCache();
      String prefix = "e|channel." + ch + "|" + all.epoch() + "|";
      long deadline = System.currentTimeMillis() + 5_000;
      java.util.Set<Long> held = new java.util.TreeSet<>();
      do {
        held.clear();
        cache.keySet().stream().filter(k -> k.startsWith(prefix)).forEach(k -> held.add(Long.parseLong(k.substring(prefix.length()))));
      } while (!held.equals(Set.of(4L, 5L, 6L)) && System.currentTimeMillis() < deadline && sleep(50));
      assertEquals(Set.of(4L, 5L, 6L), held);
      for (long o : held) {
        assertEquals(o, new JsonObject(cache.get(prefix + o)).getLong("o"));
      }
    }
  }

  static boolean sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return true;
  }

  static org.infinispan.Cache<String, String> streamsCache() {
    org.infinispan.manager.EmbeddedCacheManager ecm = (org.infinispan.manager.EmbeddedCacheManager)
        ((io.vertx.ext.cluster.infinispan.InfinispanClusterManager) ((io.vertx.core.internal.VertxInternal) va).clusterManager())
            .getCacheContainer();
    return ecm.getCache(Addresses.STREAMS_MAP);
  }

  @Test
  @Order(3)
  void historyIsBoundedByTtlAndANewEpochFollowsItsLoss() {
    String ch = channelOwnedBy("b", "brief-");
    PublishResult first = Await.result(services.channel().publish(ch, PushMessage.of("x"), null));
    Await.result(services.channel().publish(ch, PushMessage.of("y"), null));
    assertEquals(2, read("channel." + ch, 0).messages().size());
    Await.until(() -> read("channel." + ch, 0).epoch() == null, 10_000, "history of " + ch + " expired");
    assertNull(Await.result(store.meta("channel." + ch)));
    // the owner still remembers the stream, but its history is gone: after a ring change it reads the meta
    // again; without one it draws a new epoch. Here, without a ring change, it continues its own epoch and the
    // grid holds what it writes again.
    PublishResult again = Await.result(services.channel().publish(ch, PushMessage.of("z"), null));
    assertEquals(first.epoch(), again.epoch());
    assertEquals(3, again.offset());
    assertEquals(List.of("z"), read("channel." + ch, 2).messages().stream().map(StreamStore.Entry::message).toList());
  }

  @Test
  @Order(4)
  void aNewOwnerContinuesTheOffsetsWithTheSameEpoch() {
    String ch = channelOwnedBy("b", "failover-");
    String userOnB = null;
    for (int i = 0; userOnB == null; i++) {
      if (services.membership().ring(Role.USER).owns("b", "u" + i)) {
        userOnB = "u" + i;
      }
    }
    PublishResult last = null;
    for (int i = 1; i <= 3; i++) {
      last = Await.result(services.channel().publish(ch, PushMessage.of(i), null));
    }
    assertEquals(3, last.offset());
    // a publish with an idempotency key, acknowledged by the owner that is about to leave
    PublishResult keyed = Await.result(services.channel().publish(ch, PushMessage.of("keyed"), "k-failover"));
    assertEquals(4, keyed.offset());
    String brief = channelOwnedBy("b", "brief-gone-");
    PublishResult briefFirst = Await.result(services.channel().publish(brief, PushMessage.of("soon gone"), null));
    Await.result(b.verticle.services().auth().set(userOnB, "s"));
    FrameClient c = Await.result(FrameClient.connect(sockets, a.edgePort()));
    assertEquals("rec", Await.result(c.auth(userOnB, "s")).getString("type"));
    PublishResult userFirst = Await.result(services.user().publish(userOnB, PushMessage.of("before"), null));
    // another user owned by b, whose socket on a closed: between sockets when b leaves
    String awayOnB = null;
    for (int i = 0; awayOnB == null; i++) {
      if (services.membership().ring(Role.USER).owns("b", "away" + i)) {
        awayOnB = "away" + i;
      }
    }
    String away = awayOnB;
    Await.result(services.auth().set(away, "s"));
    FrameClient gone = Await.result(FrameClient.connect(sockets, a.edgePort()));
    assertEquals("rec", Await.result(gone.auth(away, "s")).getString("type"));
    Await.result(gone.close());
    Await.until(() -> Await.result(services.user().getFrontendServer(away)).isEmpty(), 5_000, away + " detached");

    Await.until(() -> read("channel." + brief, 0).epoch() == null, 10_000, "history of " + brief + " expired");
    Await.result(vb.close(), 60_000); // the owner of the streams leaves
    Await.until(() -> services.membership().ring(Role.CHANNEL).members().equals(Set.of("a"))
        && services.membership().ring(Role.USER).members().equals(Set.of("a")), 30_000, "a owns everything");

    // its retry through the new owner is answered with the first position and not stored again
    PublishResult retry = Await.result(services.channel().publish(ch, PushMessage.of("keyed"), "k-failover"));
    assertEquals(keyed.position(), retry.position());
    assertEquals(0, retry.sockets());
    PublishResult next = Await.result(services.channel().publish(ch, PushMessage.of(5), null));
    assertEquals(last.epoch(), next.epoch(), "a failover does not change the epoch");
    assertEquals(5, next.offset());
    History h = read("channel." + ch, 0);
    assertEquals(List.of(1, 2, 3, "keyed", 5), h.messages().stream().map(StreamStore.Entry::message).toList());

    String user = userOnB;
    PublishResult userNext = Await.result(services.user().publish(user, PushMessage.of("after"), null));
    assertEquals(userFirst.epoch(), userNext.epoch());
    assertEquals(2, userNext.offset());
    JsonObject f = Await.result(c.waitFor(x -> "after".equals(x.getValue("body"))));
    assertEquals("2", f.getJsonObject("headers").getString("offset"));
    // the new owner knows from the grid that the other user is between sockets, not offline
    PublishResult stored = Await.result(services.user().publish(away, PushMessage.of("for later"), null));
    assertEquals(0, stored.sockets());
    // a stream whose history expired before the failover gets a new epoch from the new owner
    PublishResult briefNext = Await.result(services.channel().publish(brief, PushMessage.of("new"), null));
    assertNotEquals(briefFirst.epoch(), briefNext.epoch());
    assertEquals(1, briefNext.offset());
    Await.result(c.close());
  }

  /** StreamGrouper in conf/infinispan.xml: a stream's meta, entries and keys share their owners (one write, one read). */
  @Test
  @Order(5)
  void everyKeyOfAStreamLivesOnTheSameOwners() throws Exception {
    org.infinispan.distribution.DistributionManager dm = streamsCache().getAdvancedCache().getDistributionManager();
    java.util.Set<Object> owners = new java.util.HashSet<>();
    java.util.Set<Object> ungrouped = new java.util.HashSet<>();
    for (String key : List.of("m|channel.grouped", "e|channel.grouped|k3x9|1", "e|channel.grouped|k3x9|2", "e|channel.grouped|other|99", "k|channel.grouped|order-1")) {
      owners.add(dm.getCacheTopology().getDistribution(key).writeOwners());
    }
    for (int i = 0; i < 20; i++) {
      ungrouped.add(dm.getCacheTopology().getSegment("z|channel.grouped|" + i));
    }
    assertEquals(1, owners.size(), "one set of owners for the stream's keys: " + owners);
    assertTrue(ungrouped.size() > 1, "keys outside the group spread over segments (the check can fail)");
  }
}
