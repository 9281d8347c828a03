package io.socketpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.socketpush.cluster.Addresses;
import io.socketpush.cluster.Membership;
import io.socketpush.config.NodeConfig.Role;
import io.socketpush.message.PushMessage;
import io.socketpush.testing.Await;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A publish that reaches a channel owner after its ring changed but before the ring listener ran (it runs
 * a moment later on the verticle's context) must already use the new ring's rules: here, deliver to every
 * edge while the soft state is rebuilt. This test never registers the listener, so only the publish itself
 * can notice the change.
 */
class ChannelRingCatchUpTest {
  Vertx vertx = Vertx.vertx();
  Context ctx = vertx.getOrCreateContext();

  <T> T on(Supplier<Future<T>> call) {
    return Await.on(ctx, call);
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
  }

  @Test
  void aPublishRightAfterARingChangeReachesAnEdgeTheOwnerDidNotKnowOf() {
    Membership membership = new Membership(vertx, new JsonObject().put("nodeId", "c1")
        .put("roles", new JsonArray().add("channel")).put("startedAt", 1L), 1_000, 60_000, 64);
    on(membership::start);
    // an edge node e1 whose inbox answers "written to 1 socket"; it never announced its interest
    List<String> delivered = new CopyOnWriteArrayList<>();
    vertx.eventBus().<Object>consumer(Addresses.edgeInbox("e1"), m -> {
      delivered.add(String.valueOf(m.body()));
      m.reply("channel".equals(m.headers().get("op")) ? 1 : new JsonArray());
    });
    ctx.runOnContext(v -> vertx.eventBus().publish(Addresses.MEMBERSHIP, new JsonObject().put("nodeId", "e1")
        .put("roles", new JsonArray().add("edge")).put("startedAt", 2L), new DeliveryOptions().addHeader("kind", "hb")));
    Await.until(() -> membership.ring(Role.EDGE).members().contains("e1"), 5_000, "e1 in the ring");
    ChannelServiceImpl channels = new ChannelServiceImpl(vertx, membership, null, null, 1_000, () -> 100,
        new io.socketpush.stream.StreamLog(Await.result(io.socketpush.stream.StreamStore.open(vertx)),
            io.socketpush.config.StreamRules::defaults, "n1"));
    // the owner's listener never ran: before the fix this acknowledged with 0 sockets and e1 got nothing
    assertEquals(1, on(() -> channels.publish("news", PushMessage.of("hello"), null)).sockets());
    assertEquals(1, delivered.stream().filter(b -> b.contains("hello")).count(), delivered.toString());
  }
}
