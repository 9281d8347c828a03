package io.socketpush.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.channel.ChannelService;
import io.socketpush.cluster.Addresses;
import io.socketpush.cluster.Membership;
import io.socketpush.config.NodeConfig.Role;
import io.socketpush.delivery.RegistryService;
import io.socketpush.testing.Await;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A user goes offline, its offline timer starts on its owner, and before it fires the user's shard moves to
 * a node that joined: the timer still ends in unsubscribeAll when the new owner knows no socket of the user,
 * and not when it does.
 */
class OfflineHandoverTest {
  Vertx vertx;
  Context ctx;
  Membership membership;
  final Set<String> unsubscribed = ConcurrentHashMap.newKeySet();
  final Set<String> asked = ConcurrentHashMap.newKeySet();
  /** What the (fake) new owner's presence says per user. */
  final Map<String, List<String>> newOwnerPresence = new ConcurrentHashMap<>();
  UserServiceImpl users;

  <T> T on(Supplier<Future<T>> call) {
    return Await.on(ctx, call);
  }

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    ctx = vertx.getOrCreateContext();
    membership = new Membership(vertx, new JsonObject().put("nodeId", "u1").put("roles", new JsonArray().add("user"))
        .put("startedAt", 1L), 1_000, 60_000, 64);
    on(membership::start);
    ChannelService channels = (ChannelService) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {ChannelService.class}, (proxy, m, args) -> {
          if (m.getName().equals("unsubscribeAll")) {
            unsubscribed.add((String) args[0]);
            return Future.succeededFuture();
          }
          throw new UnsupportedOperationException(m.getName());
        });
    RegistryService ownerPresence = (RegistryService) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {RegistryService.class}, (proxy, m, args) -> {
          if (m.getName().equals("edgesOf")) {
            asked.add((String) args[0]);
            return Future.succeededFuture(newOwnerPresence.getOrDefault((String) args[0], List.of()));
          }
          throw new UnsupportedOperationException(m.getName());
        });
    users = new UserServiceImpl(vertx, membership, channels, ownerPresence, () -> 400, 1_000, () -> 100,
        new io.socketpush.stream.StreamLog(Await.result(io.socketpush.stream.StreamStore.open(vertx)),
            io.socketpush.config.StreamRules::defaults, "n1"));
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
  }

  @Test
  void offlineUsersWhoseShardMovedAreUnsubscribedUnlessTheNewOwnerSeesThemOnline() {
    // pick the users first, on the ring u1 will have once u2 joins
    List<String> picked = pick();
    String moved = picked.get(0);
    String movedButOnline = picked.get(1);
    String kept = picked.get(2);
    // u1 alone owns all three; they go offline there, starting the 400 ms offline timers
    for (String u : picked) {
      on(() -> users.attach(u, "edgeA"));
      on(() -> users.detach(u, "edgeA"));
    }
    // u2 joins before the timers fire and takes over two of them; one reconnected on u2's side meanwhile
    newOwnerPresence.put(movedButOnline, List.of("edgeB"));
    ctx.runOnContext(v -> vertx.eventBus().publish(Addresses.MEMBERSHIP, u2(), new DeliveryOptions().addHeader("kind", "hb")));
    Await.until(() -> membership.ring(Role.USER).members().contains("u2"), 5_000, "u2 in the ring");
    Await.until(() -> unsubscribed.containsAll(List.of(moved, kept)), 5_000, "offline users unsubscribed");
    Await.until(() -> asked.contains(movedButOnline), 5_000, "the new owner asked");
    assertTrue(asked.contains(moved), "the new owner of a moved user decides");
    assertFalse(asked.contains(kept), "a user we still own needs no question");
    assertFalse(unsubscribed.contains(movedButOnline), "online at the new owner: kept subscribed");
    assertEquals(Set.of(moved, kept), Set.copyOf(unsubscribed));
  }

  static JsonObject u2() {
    return new JsonObject().put("nodeId", "u2").put("roles", new JsonArray().add("user")).put("startedAt", 2L);
  }

  /** Two users u2 will own and one u1 keeps, on the ring {u1, u2}. */
  static List<String> pick() {
    io.socketpush.cluster.HashRing ring = io.socketpush.cluster.HashRing.of(0, 64, Set.of("u1", "u2"));
    String moved = null;
    String movedButOnline = null;
    String kept = null;
    for (int i = 0; i < 10_000 && (moved == null || movedButOnline == null || kept == null); i++) {
      String u = "user" + i;
      boolean ours = ring.owns("u1", u);
      if (ours && kept == null) {
        kept = u;
      } else if (!ours && moved == null) {
        moved = u;
      } else if (!ours && movedButOnline == null) {
        movedButOnline = u;
      }
    }
    return List.of(moved, movedButOnline, kept);
  }
}
