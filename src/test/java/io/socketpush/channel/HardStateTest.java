package io.socketpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.cluster.Addresses;
import io.socketpush.message.Page;
import io.socketpush.testing.Await;
import io.socketpush.testing.EdgeFixture;
import io.socketpush.testing.Http;
import io.socketpush.testing.Http.Response;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Subscriptions as stored hard state and the paged reads, through the sharded services and the management
 * API of one node (no cluster: the store is a map of this Vert.x, with the same layout as the cluster's
 * cache). Runs without an edge role, so presence holds only what the test attaches.
 */
class HardStateTest {
  @RegisterExtension
  static final EdgeFixture edge = EdgeFixture.node("hard-state",
      new JsonObject().put("roles", new JsonArray().add("auth").add("user").add("channel").add("management")));
  static Http http;

  @BeforeAll
  static void start() {
    http = new Http(edge.vertx(), edge.node().adminPort());
  }

  private static java.util.Map<String, String> store() {
    return io.socketpush.cluster.LocalKv.named(edge.vertx(), Addresses.SUBSCRIPTIONS_MAP);
  }

  /**
   * Each subscribe of a new user adds the same five small entries (the channel's slot and index entry, the
   * user's slot, index and meta entry), whether the channel has 1 or 2,000 subscribers; before, the channel's
   * subscribers were one JSON value rewritten (and replicated) whole on every subscribe.
   */
  @Test
  void everySubscribeAddsTheSameFewSmallEntries() {
    int before = store().size();
    Await.result(edge.services().channel().subscribe("first", "big"));
    int firstCost = store().size() - before;
    // 5 for the subscription, 1 for the channel's meta entry, 2 (3 if it is the first channel) in the channel list
    assertTrue(firstCost == 8 || firstCost == 9, "entries added by the first subscribe: " + firstCost);
    for (int i = 1; i < 2_000; i++) {
      int n = store().size();
      Await.result(edge.services().channel().subscribe("u" + i, "big"));
      assertEquals(5, store().size() - n, "entries added by subscribe #" + (i + 1));
    }
    int largest = store().values().stream().mapToInt(String::length).max().orElse(0);
    assertTrue(largest <= 210, "largest stored value: " + largest + " chars (ids are at most 200)");
    Await.result(edge.services().channel().subscribe("u5", "big"));
    assertEquals(before + firstCost + 5 * 1_999, store().size(), "subscribing again stores nothing");
    List<Future<Void>> unsubs = new ArrayList<>();
    unsubs.add(edge.services().channel().unsubscribe("first", "big"));
    for (int i = 1; i < 2_000; i++) {
      unsubs.add(edge.services().channel().unsubscribe("u" + i, "big"));
    }
    Await.result(Future.all(unsubs));
    assertEquals(before, store().size(), "unsubscribing everyone leaves nothing behind");
    assertTrue(Await.result(edge.services().channel().listAll(0, null)).items().stream().noneMatch("big"::equals));
  }

  @Test
  void twoHundredConcurrentSubscribesToOneChannelAllSucceedAndAreListed() {
    List<Future<Void>> subs = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      subs.add(edge.services().channel().subscribe("c" + i, "crowd"));
    }
    Await.result(Future.all(subs), 30_000);
    Set<String> seen = new HashSet<>();
    for (String u : allPages(cursor -> edge.services().channel().getSubscribers("crowd", 7, cursor))) {
      assertTrue(seen.add(u), u + " listed twice");
    }
    assertEquals(200, seen.size());
    assertEquals(List.of("crowd"), Await.result(edge.services().channel().getSubscriptions("c42", 0, null)).items());
  }

  @Test
  void theManagementApiPagesWithLimitAndCursor() {
    for (int i = 0; i < 25; i++) {
      Await.result(edge.services().channel().subscribe("api" + i, "paged"));
    }
    Set<String> seen = new HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonObject params = new JsonObject().put("channelId", "paged").put("limit", 10);
      if (cursor != null) {
        params.put("cursor", cursor);
      }
      Response r = Await.result(http.call("channel", "getSubscribers", params));
      assertEquals(200, r.status(), r.body().encode());
      JsonArray items = r.body().getJsonObject("result").getJsonArray("items");
      assertTrue(items.size() <= 10);
      items.forEach(u -> assertTrue(seen.add((String) u), u + " twice"));
      cursor = r.body().getJsonObject("result").getString("nextCursor");
      assertTrue(++pages <= 10);
    } while (cursor != null);
    assertEquals(25, seen.size());
    Response bad = Await.result(http.call("channel", "getSubscribers", new JsonObject().put("channelId", "paged").put("limit", -1)));
    assertEquals(400, bad.status(), bad.body().encode());
    bad = Await.result(http.call("channel", "getSubscribers", new JsonObject().put("channelId", "paged").put("cursor", "zz")));
    assertEquals(400, bad.status(), bad.body().encode());
    Response subs = Await.result(http.call("channel", "getSubscriptions", new JsonObject().put("userId", "api3")));
    assertEquals(new JsonObject().put("items", new JsonArray().add("paged")).putNull("nextCursor"), subs.body().getJsonObject("result"));
    // the original URL scheme still works, with the default page
    Response legacy = Await.result(http.request(io.vertx.core.http.HttpMethod.GET, "/channel/getSubscriptions/api3", null, null));
    assertEquals(List.of("paged"), legacy.body().getJsonObject("result").getJsonArray("items").getList());
  }

  /** cluster.listLimit changed at runtime bounds user.listAll (and the channel reads), and paging sees everyone. */
  @Test
  void userListAllHonoursTheRuntimeListLimit() {
    String self = edge.node().verticle.services().membership().nodeId();
    for (int i = 0; i < 12; i++) {
      Await.result(edge.services().presence().attach("online-" + (100 + i), self));
    }
    try {
      Response set = Await.result(http.call("cluster", "setConfig",
          new JsonObject().put("config", new JsonObject().put("cluster", new JsonObject().put("listLimit", 5)))));
      assertEquals(200, set.status(), set.body().encode());
      Await.until(() -> Await.result(edge.services().user().listAll(0, null)).items().size() == 5, 5_000, "listLimit 5 applied");
      Response r = Await.result(http.call("user", "listAll", new JsonObject().put("limit", 100)));
      assertEquals(5, r.body().getJsonObject("result").getJsonArray("items").size(), r.body().encode());
      List<String> all = allPages(cursor -> edge.services().user().listAll(0, cursor));
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        expected.add("online-" + (100 + i));
      }
      assertEquals(expected, all, "sorted, each once");
      for (int i = 0; i < 8; i++) {
        Await.result(edge.services().channel().subscribe("l" + i, "limited"));
      }
      assertEquals(5, Await.result(edge.services().channel().getSubscribers("limited", 0, null)).items().size());
    } finally {
      Await.result(http.call("cluster", "setConfig",
          new JsonObject().put("config", new JsonObject().put("cluster", new JsonObject().put("listLimit", 1_000)))));
      for (int i = 0; i < 12; i++) {
        Await.result(edge.services().presence().detach("online-" + (100 + i), self));
      }
    }
  }

  private static List<String> allPages(java.util.function.Function<String, Future<Page>> fetch) {
    List<String> out = new ArrayList<>();
    String cursor = null;
    for (int pages = 0; pages < 1_000; pages++) {
      Page p = Await.result(fetch.apply(cursor));
      out.addAll(p.items());
      cursor = p.nextCursor();
      if (cursor == null) {
        return out;
      }
    }
    throw new AssertionError("paging did not end");
  }
}
