package io.socketpush.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.cluster.Addresses;
import io.socketpush.shard.Services;
import io.socketpush.testing.Await;
import io.socketpush.testing.FrameClient;
import io.socketpush.testing.TestNode;
import io.socketpush.testing.TwoVertx;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A user's first socket gets its own join (the race CI found in PresenceClusterTest): the user's owner holds the
 * user's online until the edge attaching it is ready, i.e. until the edge's interest in the user's channels is at
 * their owners. Here the interest attach is held on the event bus: no presence change may leave the user's owner
 * meanwhile (before the fix the join went out at once, to an owner that knew no interested edge, and was lost).
 */
class PresenceAttachOrderTest {
  @RegisterExtension
  final TwoVertx vx = new TwoVertx();
  final Vertx vertx = vx.server;
  TestNode node;
  Services services;
  /** The first interest attach, held until the test lets it go. */
  final Promise<DeliveryContext<Object>> held = Promise.promise();
  final AtomicBoolean holding = new AtomicBoolean(true);
  /** The presence changes sent to the channel owner, as "channel change user". */
  final List<String> changes = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    node = Await.result(TestNode.start(vertx, "order", new JsonObject()
        .put("streams", new JsonObject().put("rules", new JsonArray()
            .add(new JsonObject().put("match", "channel.lobby-*").put("presence", true))))
        // the calls between this node's roles go over the event bus, where the test holds and watches them
        .put("cluster", new JsonObject().put("localCalls", false))));
    services = node.verticle.services();
    String interest = Addresses.service(Addresses.INTEREST, "order");
    String presenceChange = Addresses.service(Addresses.PRESENCE_CHANGE, "order");
    vertx.eventBus().addInboundInterceptor(ctx -> {
      String address = ctx.message().address();
      String action = ctx.message().headers().get("action");
      if (interest.equals(address) && "attach".equals(action) && holding.compareAndSet(true, false)) {
        held.complete(ctx);
        return;
      }
      if (presenceChange.equals(address)) {
        JsonObject b = (JsonObject) ctx.message().body();
        changes.add(b.getString("channelId") + " " + b.getString("change") + " " + b.getString("userId"));
      }
      ctx.next();
    });
    Await.result(services.auth().set("u1", "s1"));
    Await.result(services.channel().subscribe("u1", "lobby-a"));
  }

  @Test
  void theFirstSocketGetsItsOwnJoinOnceTheEdgeIsInterested() throws InterruptedException {
    FrameClient socket = Await.result(FrameClient.connect(vx.clients, node.edgePort()));
    var reply = socket.auth("u1", "s1");
    DeliveryContext<Object> request = Await.result(held.future()); // presence attached, interest attach held
    Thread.sleep(1_000); // an online sent at the presence attach reaches the channel owner well within this
    assertEquals(List.of(), changes, "no presence change while the edge's interest is not at the channel's owner");

    request.next();
    assertEquals("rec", Await.result(reply).getString("type"));
    Await.until(() -> !socket.presenceFrames("lobby-a", "u1").isEmpty(), 10_000, "u1's own join; frames: " + socket.frames());
    Thread.sleep(300); // a second join would arrive meanwhile
    assertEquals(List.of("join"), socket.presenceFrames("lobby-a", "u1"), "one join frame");
    assertEquals(List.of("lobby-a join u1"), changes, "one join change, after the interest attach");
    assertTrue(socket.frames().stream().noneMatch(f -> "err".equals(f.getString("type"))), "no error: " + socket.frames());
    socket.close();
  }
}
