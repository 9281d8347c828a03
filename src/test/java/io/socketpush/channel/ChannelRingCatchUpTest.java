package io.socketpush.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.cluster.Addresses;
import io.socketpush.cluster.Membership;
import io.socketpush.config.NodeConfig.Role;
import io.socketpush.message.PushMessage;
import io.socketpush.stream.PublishResult;
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
 * The one ring-change handover, owner side: a new owner acknowledges a publish once it is stored, even before
 * the edges holding subscribers announced themselves to it; the edge's announcement is answered with the
 * stream's top, so the edge reads what it missed from history (StreamGapsTest covers the edge side, and
 * EdgeResumeTest the two together). The test never registers the ring listener: the publish itself must notice
 * the ring change (and read the stream's meta again).
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
  void aPublishBeforeTheEdgeAnnouncedIsStoredAndTheAnnouncementIsAnsweredWithItsPosition() {
    Membership membership = new Membership(vertx, new JsonObject().put("nodeId", "c1")
        .put("roles", new JsonArray().add("channel")).put("startedAt", 1L), 1_000, 60_000, 64);
    on(membership::start);
    // an edge node e1 whose inbox answers "written to 1 socket"; it has not announced its interest yet
    List<String> delivered = new CopyOnWriteArrayList<>();
    vertx.eventBus().<Object>consumer(Addresses.edgeInbox("e1"), m -> {
      delivered.add(String.valueOf(m.body()));
      m.reply(1);
    });
    ctx.runOnContext(v -> vertx.eventBus().publish(Addresses.MEMBERSHIP, new JsonObject().put("nodeId", "e1")
        .put("roles", new JsonArray().add("edge")).put("startedAt", 2L), new DeliveryOptions().addHeader("kind", "hb")));
    Await.until(() -> membership.ring(Role.EDGE).members().contains("e1"), 5_000, "e1 in the ring");
    ChannelServiceImpl channels = new ChannelServiceImpl(vertx, membership, null, null, 1_000, () -> 100,
        new io.socketpush.stream.StreamLog(Await.result(io.socketpush.stream.StreamStore.open(vertx)),
            io.socketpush.config.StreamRules::defaults, "n1"));
    PublishResult first = on(() -> channels.publish("news", PushMessage.of("hello"), null));
    assertEquals(0, first.sockets(), "no edge known yet: stored, not delivered");
    assertEquals(1, first.offset());
    assertTrue(delivered.isEmpty(), delivered.toString());

    JsonObject tops = on(() -> channels.announce("e1", List.of("news", "quiet")));
    assertEquals(new JsonObject().put("channel.news", first.position().toString()), tops,
        "the announcement names the top of each listed stream this owner wrote, so e1 reads offset 1 from history");

    PublishResult second = on(() -> channels.publish("news", PushMessage.of("again"), null));
    assertEquals(1, second.sockets(), "once announced, e1 gets the live deliveries");
    assertEquals(2, second.offset());
    assertEquals(1, delivered.stream().filter(b -> b.contains("again")).count(), delivered.toString());
  }
}
