package io.socketpush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.channel.ChannelService;
import io.socketpush.channel.ChannelVerticle;
import io.socketpush.config.NodeConfig.Role;
import io.socketpush.message.Page;
import io.socketpush.message.Pages;
import io.socketpush.testing.Await;
import io.socketpush.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Subscriptions in the real Infinispan cache: two clustered Vert.x instances in this JVM, both with the
 * channel role, so one owns the hot channel and the other's calls travel to it, and both write the same
 * distributed cache.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HardStateClusterTest {
  static LocalCluster cluster;
  static final List<Vertx> instances = new ArrayList<>();
  static TestNode n1;
  static TestNode n2;

  @BeforeAll
  static void start() {
    cluster = new LocalCluster(2);
    for (int i = 0; i < 2; i++) {
      instances.add(Await.result(cluster.vertx(), 60_000));
    }
    JsonObject roles = new JsonObject().put("roles", new JsonArray().add("auth").add("user").add("channel").add("management"));
    n1 = Await.result(TestNode.start(instances.get(0), "hs1", roles), 30_000);
    n2 = Await.result(TestNode.start(instances.get(1), "hs2", roles), 30_000);
    Await.until(() -> n1.verticle.services().membership().ring(Role.CHANNEL).members().size() == 2
        && n2.verticle.services().membership().ring(Role.CHANNEL).members().size() == 2, 20_000, "two channel shards");
  }

  @AfterAll
  static void stop() {
    for (Vertx v : instances) {
      Await.result(v.close(), 60_000);
    }
    cluster.restore();
  }

  private static ChannelService channel(int i) {
    return (i % 2 == 0 ? n1 : n2).verticle.services().channel();
  }

  @Test
  void twoHundredConcurrentSubscribesToOneHotChannelAllSucceedAndAreListedOnce() {
    List<Future<Void>> subs = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      subs.add(channel(i).subscribe("hot-" + i, "hot"));
    }
    Await.result(Future.join(subs), 60_000);
    for (Future<Void> f : subs) {
      assertTrue(f.succeeded(), () -> "a subscribe failed: " + f.cause());
    }
    for (int node = 0; node < 2; node++) {
      int n = node;
      List<String> all = Await.result(Pages.all(cursor -> channel(n).getSubscribers("hot", 17, cursor)), 30_000);
      assertEquals(200, all.size(), "listed from node " + node);
      assertEquals(200, new HashSet<>(all).size());
    }
    assertEquals(List.of("hot"), Await.result(channel(1).getSubscriptions("hot-7", 0, null)).items());
    assertTrue(Await.result(Pages.all(cursor -> channel(1).listAll(1, cursor))).contains("hot"));
  }

  /** Two writers of one list on two members (two owners for a moment during a ring change) contend on its meta entry. */
  @Test
  void twoMembersWritingOneListConcurrentlyLoseNothing() {
    PagedSets a = new PagedSets(Await.result(KvStore.open(instances.get(0), Addresses.SUBSCRIPTIONS_MAP)));
    PagedSets b = new PagedSets(Await.result(KvStore.open(instances.get(1), Addresses.SUBSCRIPTIONS_MAP)));
    List<Future<PagedSets.Change>> adds = new ArrayList<>();
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < 300; i++) {
      String m = "w" + i;
      expected.add(m);
      PagedSets writer = i % 2 == 0 ? a : b;
      io.vertx.core.Context ctx = instances.get(i % 2).getOrCreateContext();
      adds.add(Future.<Void>future(p -> ctx.runOnContext(v -> p.complete())).compose(x -> writer.add("c:contended", m)));
    }
    Await.result(Future.join(adds), 60_000);
    adds.forEach(f -> assertTrue(f.succeeded(), () -> "an add failed: " + f.cause()));
    Set<String> listed = new HashSet<>();
    String cursor = null;
    do {
      Page p = Await.result(b.page("c:contended", cursor, 64));
      p.items().forEach(m -> assertTrue(listed.add(m), m + " listed twice"));
      cursor = p.nextCursor();
    } while (cursor != null);
    assertEquals(expected, listed);
    assertEquals(300, Await.result(a.count("c:contended")));
  }

  /** In the distributed cache too, every new subscription of a channel adds the same five entries. */
  @Test
  void theDistributedCacheGrowsByFiveEntriesPerSubscription() {
    KvStore kv = Await.result(KvStore.open(instances.get(0), Addresses.SUBSCRIPTIONS_MAP));
    Await.result(channel(0).subscribe("g-0", "growing"));
    long base = Await.result(kv.size());
    for (int round = 0; round < 3; round++) {
      List<Future<Void>> subs = new ArrayList<>();
      for (int i = 1; i <= 100; i++) {
        subs.add(channel(i).subscribe("g-" + round + "-" + i, "growing"));
      }
      Await.result(Future.all(subs), 60_000);
      assertEquals(base + 5L * 100 * (round + 1), Await.result(kv.size()), "entries after " + (round + 1) + "00 more");
    }
  }
}
