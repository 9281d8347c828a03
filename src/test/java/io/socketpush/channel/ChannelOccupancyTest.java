package io.socketpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.socketpush.cluster.KvStore;
import io.socketpush.cluster.Membership;
import io.socketpush.cluster.PagedSets;
import io.socketpush.config.StreamRules;
import io.socketpush.events.EventSink;
import io.socketpush.testing.Await;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The channel owner's present set (ChannelServiceImpl#presenceChanged): occupied on the first present user, vacated
 * when the last one leaves, each once, in order with the joins/leaves of the channel's key, also for changes that
 * arrive at once; a second join or a leave of a user not present emits nothing.
 */
class ChannelOccupancyTest {
  Vertx vertx = Vertx.vertx();
  Context ctx = vertx.getOrCreateContext();
  final List<String> emitted = new CopyOnWriteArrayList<>();
  Set<String> wanted = Set.of(EventSink.CHANNEL_OCCUPIED, EventSink.CHANNEL_VACATED, EventSink.PRESENCE_JOIN,
      EventSink.PRESENCE_LEAVE);
  ChannelServiceImpl channels;

  <T> T on(Supplier<Future<T>> call) {
    return Await.on(ctx, call);
  }

  @BeforeEach
  void start() {
    Membership membership = new Membership(vertx, new JsonObject().put("nodeId", "c1")
        .put("roles", new JsonArray().add("channel")).put("startedAt", 1L), 1_000, 60_000, 64);
    on(membership::start);
    KvStore kv = Await.result(KvStore.open(vertx, "occupancy-test"));
    channels = new ChannelServiceImpl(vertx, membership, null, new Subscriptions(new PagedSets(kv)), 1_000, () -> 100, null);
    StreamRules rules = StreamRules.from(new JsonObject().put("rules", new JsonArray()
        .add(new JsonObject().put("match", "channel.lobby-*").put("presence", true))));
    channels.presence(() -> rules, new EventSink() {
      @Override
      public Future<Void> emit(String type, String key, JsonObject data) {
        emitted.add(key + " " + type + (data.getString("userId") == null ? "" : " " + data.getString("userId")));
        return Future.succeededFuture();
      }

      @Override
      public boolean wants(String type) {
        return wanted.contains(type);
      }
    });
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
  }

  Future<Void> change(String ch, String user, String change) {
    return channels.presenceChanged(ch, user, change);
  }

  @Test
  void occupiedOnFirstVacatedOnLastEachOnceAndNoSecondJoin() {
    on(() -> change("lobby-1", "a", "join"));
    on(() -> change("lobby-1", "b", "join"));
    on(() -> change("lobby-1", "a", "join")); // already present: nothing
    on(() -> change("lobby-1", "a", "leave"));
    on(() -> change("lobby-1", "a", "leave")); // not present any more: nothing
    on(() -> change("lobby-1", "b", "leave"));
    assertEquals(List.of("channel:lobby-1 channel.occupied", "channel:lobby-1 presence.join a",
        "channel:lobby-1 presence.join b", "channel:lobby-1 presence.leave a", "channel:lobby-1 presence.leave b",
        "channel:lobby-1 channel.vacated"), emitted);
    assertEquals(0L, on(() -> channels.presentCount("lobby-1")));
  }

  @Test
  void changesArrivingAtOnceGiveOneOccupiedFirstAndOneVacatedLast() {
    // a channel without presence frames: only occupied/vacated
    List<String> users = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      users.add("u" + i);
    }
    on(() -> Future.all(users.stream().map(u -> change("plain", u, "join")).toList()).mapEmpty());
    assertEquals(List.of("channel:plain channel.occupied"), emitted);
    assertEquals(30L, on(() -> channels.presentCount("plain")));
    // all leave while two join again, at once: vacated at most once per emptying, and it ends occupied
    List<Future<Void>> calls = new ArrayList<>();
    on(() -> {
      users.forEach(u -> calls.add(change("plain", u, "leave")));
      calls.add(change("plain", "late-1", "join"));
      calls.add(change("plain", "late-2", "join"));
      return Future.all(calls).mapEmpty();
    });
    assertEquals(2L, on(() -> channels.presentCount("plain")));
    // each 0->1 and 1->0 of the count is seen by exactly one change: alternating, starting occupied, ending occupied
    for (int i = 0; i < emitted.size(); i++) {
      assertEquals(i % 2 == 0 ? "channel:plain channel.occupied" : "channel:plain channel.vacated", emitted.get(i), emitted.toString());
    }
    assertEquals("channel:plain channel.occupied", emitted.get(emitted.size() - 1), emitted.toString());
  }

  @Test
  void nothingIsKeptOrEmittedWhenNoWebhookWantsOccupancyAndTheChannelHasNoPresence() {
    wanted = Set.of(EventSink.USER_ONLINE);
    on(() -> change("plain", "a", "join"));
    assertEquals(List.of(), emitted);
    assertEquals(0L, on(() -> channels.presentCount("plain")), "no grid write for a channel nobody watches");
  }
}
