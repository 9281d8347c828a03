package io.socketpush.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.cluster.Addresses;
import io.socketpush.delivery.EdgeOps;
import io.socketpush.message.PushMessage;
import io.socketpush.shard.Services;
import io.socketpush.testing.Await;
import io.socketpush.testing.FrameClient;
import io.socketpush.testing.TestNode;
import io.socketpush.testing.TwoVertx;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * No leaks on racing closes (issue 12, item 4). 10,000 sockets, 200 at a time, authenticate and close at
 * once, a moment later, or after registering a public channel (and unregistering it, or not), as 1,000
 * users; the presence attach and the subscription read answer after a random 1-10 ms, as a remote owner
 * would, so closes land while attaches are in flight. Afterwards every map of the edge is back to its size before, and the channel owner's interest for
 * this edge is what it was before: only the channel of the one socket that stayed open gets a delivery.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ConnectCloseRaceTest {
  static final int SOCKETS = 10_000;
  static final int BATCH = 200;
  static final int USERS = 1_000;
  static final int CHANNELS = 20;
  @RegisterExtension
  final TwoVertx vx = new TwoVertx(60_000);
  final Vertx vertx = vx.server;
  final Vertx clients = vx.clients;
  final AtomicInteger connected = new AtomicInteger();
  final AtomicInteger authenticated = new AtomicInteger();

  static String channel(int k) {
    return "rc" + k;
  }

  @Test
  void tenThousandConnectCloseRacesLeaveNoEntryAtTheEdgeAndNoInterestAtTheOwner() {
    TestNode node = Await.result(TestNode.start(vertx, "race", new JsonObject()
        .put("edge", new JsonObject().put("publicChannels", new JsonArray().add("pub1").add("pub2")).put("maxSocketsPerUser", 1_000))
        // calls between this node's roles take the event bus, where the interceptors below delay and observe them
        .put("cluster", new JsonObject().put("antiEntropyInterval", 3_600_000).put("localCalls", false))));
    Services services = node.verticle.services();
    List<Future<Void>> setup = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      String u = "r" + i;
      setup.add(services.auth().set(u, "s"));
      for (int k = 0; k < 3; k++) {
        setup.add(services.channel().subscribe(u, channel((i + k) % CHANNELS)));
      }
    }
    setup.add(services.auth().set("keep", "s"));
    setup.add(services.channel().subscribe("keep", "kept"));
    Await.result(Future.all(setup), 60_000);
    // presence attaches and subscription reads answer after 1-10 ms, like a remote owner
    String presence = Addresses.service(Addresses.PRESENCE, "race");
    String channels = Addresses.service(Addresses.CHANNEL, "race");
    vertx.eventBus().addInboundInterceptor(ctx -> {
      String action = ctx.message().headers().get("action");
      if (presence.equals(ctx.message().address()) && "attach".equals(action)
          || channels.equals(ctx.message().address()) && "getSubscriptions".equals(action)) {
        vertx.setTimer(1 + ThreadLocalRandom.current().nextInt(10), t -> ctx.next());
      } else {
        ctx.next();
      }
    });
    // which channels the owner delivers to this edge: a delivery is sent only to edges it holds interest of
    Set<String> deliveredChannels = ConcurrentHashMap.newKeySet();
    String inbox = Addresses.edgeInbox("race");
    vertx.eventBus().addOutboundInterceptor(ctx -> {
      if (inbox.equals(ctx.message().address()) && EdgeOps.DELIVER_CHANNEL.equals(ctx.message().headers().get(EdgeOps.OP))) {
        deliveredChannels.add(ctx.message().headers().get(EdgeOps.KEY));
      }
      ctx.next();
    });
    FrameClient keep = Await.result(FrameClient.connect(clients, node.edgePort()));
    assertEquals("rec", Await.result(keep.auth("keep", "s")).getString("type"));
    Await.until(() -> interestedChannels(services, deliveredChannels).equals(Set.of("kept")), 30_000, "interest before");
    JsonObject before = stats(); // after the probe: the kept channel's recipients are cached, as after every probe

    long t0 = System.currentTimeMillis();
    int done = 0;
    while (done < SOCKETS) {
      List<Future<Void>> batch = new ArrayList<>();
      for (int i = 0; i < BATCH && done < SOCKETS; i++, done++) {
        batch.add(race(node.edgePort(), done));
      }
      Await.result(Future.join(batch), 60_000);
    }
    long raceMs = System.currentTimeMillis() - t0;
    try {
      Await.until(() -> stats().equals(before), 30_000, "the edge's maps back to their size before " + before);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; now " + stats(), e);
    }
    Await.until(() -> interestedChannels(services, deliveredChannels).equals(Set.of("kept")), 30_000,
        "the owner's interest back to before");
    JsonObject after = stats();
    System.out.printf("[measure] %d connect-close races (%d concurrent) in %d ms: %d connected, %d saw their auth answered;"
        + " edge before %s, after %s%n", SOCKETS, BATCH, raceMs, connected.get(), authenticated.get(), before.encode(), after.encode());
    assertEquals(SOCKETS, connected.get(), "every socket connected");
    assertEquals(before, after);
    assertTrue(keep.frames().stream().noneMatch(f -> "err".equals(f.getString("type"))), "the kept socket is fine");
  }

  /** One socket: authenticates as one of the users, then closes in one of four ways; never fails. */
  private Future<Void> race(int port, int n) {
    String user = "r" + (n % USERS);
    return FrameClient.connect(clients, port).compose(c -> {
      connected.incrementAndGet();
      Future<JsonObject> reply = c.auth(user, "s").onSuccess(r -> {
        if ("rec".equals(r.getString("type"))) {
          authenticated.incrementAndGet();
        }
      });
      Future<Void> end = switch (n % 4) {
        case 0 -> c.close(); // closes while the auth is in flight
        case 1 -> sleep(ThreadLocalRandom.current().nextInt(12)).compose(v -> c.close()); // at any point of the attach
        case 2 -> reply.compose(r -> c.register("channel.pub1")).compose(v -> c.send(new JsonObject().put("type", "unregister")
            .put("address", "channel.pub1"))).compose(v -> c.close());
        default -> reply.compose(r -> c.register("channel.pub2")).compose(v -> c.close());
      };
      return end.recover(err -> c.close());
    }).<Void>mapEmpty().recover(err -> Future.succeededFuture());
  }

  private Future<Void> sleep(long ms) {
    return clients.timer(Math.max(1, ms));
  }

  /** Publishes to every channel of the test; the channels the owner sent this edge a delivery for. */
  private static Set<String> interestedChannels(Services services, Set<String> delivered) {
    delivered.clear();
    List<Future<io.socketpush.stream.PublishResult>> publishes = new ArrayList<>();
    for (int k = 0; k < CHANNELS; k++) {
      publishes.add(services.channel().publish(channel(k), PushMessage.of("probe"), null));
    }
    for (String c : List.of("pub1", "pub2", "kept")) {
      publishes.add(services.channel().publish(c, PushMessage.of("probe"), null));
    }
    Await.result(Future.join(publishes), 30_000);
    return new TreeSet<>(delivered);
  }

  private JsonObject stats() {
    JsonObject s = Await.result(EdgeOps.control(vertx, "race", EdgeOps.STATS, new JsonObject(), 5_000));
    return new JsonObject().put("sockets", s.getValue("sockets")).put("authenticated", s.getValue("authenticated"))
        .put("users", s.getValue("users")).put("channels", s.getValue("channels"))
        .put("publicChannels", s.getValue("publicChannels")).put("cachedChannels", s.getValue("cachedChannels"));
  }
}
