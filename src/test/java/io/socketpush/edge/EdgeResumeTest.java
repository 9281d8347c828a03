package io.socketpush.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.cluster.Addresses;
import io.socketpush.delivery.EdgeOps;
import io.socketpush.message.PushMessage;
import io.socketpush.stream.PublishResult;
import io.socketpush.testing.Await;
import io.socketpush.testing.EdgeFixture;
import io.socketpush.testing.FrameClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Resume (issue 15, step 2) over real WebSockets: the auth frame's positions make the edge replay what the
 * socket missed from history, in order, before any live message of the stream, with no duplicate; the auth
 * reply says per stream whether it recovered.
 */
class EdgeResumeTest {
  @RegisterExtension
  static final EdgeFixture edge = EdgeFixture.node("resume-test", new JsonObject()
      .put("edge", new JsonObject().put("removeUserAfterDisconnectTimeout", 60_000))
      // announcements only when a test makes one (whatAnOwnerStoredBeforeTheEdgeAnnounced...)
      .put("cluster", new JsonObject().put("antiEntropyInterval", 3_600_000))
      .put("streams", new JsonObject().put("rules", new JsonArray()
          .add(new JsonObject().put("match", "channel.small-*").put("historySize", 3)))));

  /** Authenticates with positions; the reply frame. */
  private static JsonObject resume(FrameClient c, String user, JsonObject positions) {
    String reply = UUID.randomUUID().toString();
    Await.result(c.send(new JsonObject().put("type", "send").put("address", "socketpush.auth").put("replyAddress", reply)
        .put("body", new JsonObject().put("userId", user).put("sessionId", "s").put("positions", positions))));
    return Await.result(c.waitFor(f -> reply.equals(f.getString("address"))));
  }

  private static List<Long> offsets(FrameClient c, String address) {
    return c.framesFor(address).stream().map(f -> Long.parseLong(f.getJsonObject("headers").getString("offset"))).toList();
  }

  private static List<Long> range(long fromInclusive, long toInclusive) {
    return LongStream.rangeClosed(fromInclusive, toInclusive).boxed().toList();
  }

  @Test
  void replaysWhatTheSocketMissedThenGoesLive() {
    // a second socket keeps the user online, so user.publish stores and succeeds
    FrameClient keeper = edge.authed("r1", "s", "news");
    FrameClient first = edge.client();
    assertEquals("rec", Await.result(first.auth("r1", "s")).getString("type"));
    PublishResult u1 = Await.result(edge.services().user().publish("r1", PushMessage.of("u1"), null));
    PublishResult c1 = Await.result(edge.services().channel().publish("news", PushMessage.of("c1"), null));
    Await.result(first.waitFor(f -> "c1".equals(f.getValue("body"))));
    Await.result(first.close());
    for (int i = 2; i <= 4; i++) {
      Await.result(edge.services().user().publish("r1", PushMessage.of("u" + i), null));
      Await.result(edge.services().channel().publish("news", PushMessage.of("c" + i), null));
    }
    FrameClient again = edge.client();
    JsonObject reply = resume(again, "r1", new JsonObject().put("user.r1", u1.position().toString())
        .put("channel.news", c1.position().toString()));
    assertEquals("rec", reply.getString("type"), reply.encode());
    assertEquals(new JsonObject().put("user.r1", true).put("channel.news", true), reply.getJsonObject("body").getJsonObject("recovered"));
    Await.result(edge.services().channel().publish("news", PushMessage.of("c5"), null));
    Await.result(again.waitFor(f -> "c5".equals(f.getValue("body"))));
    Await.until(() -> again.framesFor("user.r1").size() >= 3, 5_000, "user replay");
    assertEquals(List.of("u2", "u3", "u4"), again.framesFor("user.r1").stream().map(f -> f.getValue("body")).toList());
    assertEquals(List.of("c2", "c3", "c4", "c5"), again.framesFor("channel.news").stream().map(f -> f.getValue("body")).toList());
    assertEquals(range(c1.offset() + 1, c1.offset() + 4), offsets(again, "channel.news"));
    // the auth reply came before the replay: a client attaches its handlers when it arrives
    List<JsonObject> all = again.frames();
    assertEquals(reply, all.get(0), all.toString());
  }

  @Test
  void liveMessagesDuringTheReplayComeAfterItOnceAndInOrder() {
    Await.result(edge.services().auth().set("r2", "s"));
    Await.result(edge.services().channel().subscribe("r2", "busy"));
    PublishResult start = Await.result(edge.services().channel().publish("busy", PushMessage.of(0), null));
    for (int i = 1; i <= 40; i++) {
      Await.result(edge.services().channel().publish("busy", PushMessage.of(i), null));
    }
    // a publisher keeps going while the socket resumes from the first message
    int total = 120;
    Promise<Void> done = Promise.promise();
    publishFrom(41, total, done);
    FrameClient c = edge.client();
    JsonObject reply = resume(c, "r2", new JsonObject().put("channel.busy", start.position().toString()));
    assertEquals(true, reply.getJsonObject("body").getJsonObject("recovered").getBoolean("channel.busy"), reply.encode());
    Await.result(done.future(), 60_000);
    Await.until(() -> c.framesFor("channel.busy").size() >= total, 10_000, "every message");
    List<Long> got = offsets(c, "channel.busy");
    assertEquals(range(start.offset() + 1, start.offset() + total), got, "once each, in order");
  }

  private void publishFrom(int n, int total, Promise<Void> done) {
    if (n > total) {
      done.complete();
      return;
    }
    edge.services().channel().publish("busy", PushMessage.of(n), null).onComplete(ar -> {
      if (ar.failed()) {
        done.fail(ar.cause());
      } else {
        edge.vertx().setTimer(2, t -> publishFrom(n + 1, total, done));
      }
    });
  }

  @Test
  void aPositionOutsideHistoryAnswersFalseAndGoesLive() {
    Await.result(edge.services().auth().set("r3", "s"));
    Await.result(edge.services().channel().subscribe("r3", "small-1"));
    PublishResult first = null;
    for (int i = 1; i <= 6; i++) {
      PublishResult r = Await.result(edge.services().channel().publish("small-1", PushMessage.of(i), null));
      first = first == null ? r : first;
    }
    FrameClient c = edge.client();
    JsonObject reply = resume(c, "r3", new JsonObject()
        .put("channel.small-1", first.position().toString())           // too old: 2 and 3 fell out of the 3 kept
        .put("user.r3", "another-epoch:4")                               // not this stream's epoch
        .put("channel.secret", first.epoch() + ":1"));                   // not subscribed
    assertEquals(new JsonObject().put("channel.small-1", false).put("user.r3", false).put("channel.secret", false),
        reply.getJsonObject("body").getJsonObject("recovered"), reply.encode());
    Await.result(edge.services().channel().publish("small-1", PushMessage.of(7), null));
    Await.result(c.waitFor(f -> Integer.valueOf(7).equals(f.getValue("body"))));
    assertEquals(List.of(7), c.framesFor("channel.small-1").stream().map(f -> f.getValue("body")).toList(), "nothing replayed");
    // a recent enough position of the same stream recovers
    FrameClient d = edge.client();
    JsonObject ok = resume(d, "r3", new JsonObject().put("channel.small-1", first.epoch() + ":4"));
    assertEquals(true, ok.getJsonObject("body").getJsonObject("recovered").getBoolean("channel.small-1"), ok.encode());
    Await.until(() -> d.framesFor("channel.small-1").size() >= 3, 5_000, "replay of 5..7");
    assertEquals(List.of(5, 6, 7), d.framesFor("channel.small-1").stream().map(f -> f.getValue("body")).toList());
  }

  @Test
  void aRetryWithTheSameIdempotencyKeyIsDeliveredOnce() {
    FrameClient c = edge.authed("r5", "s", "orders");
    PublishResult u = Await.result(edge.services().user().publish("r5", PushMessage.of("pay"), "order-17"));
    PublishResult uRetry = Await.result(edge.services().user().publish("r5", PushMessage.of("pay"), "order-17"));
    assertEquals(u.position(), uRetry.position());
    assertEquals(1, u.sockets());
    assertEquals(0, uRetry.sockets(), "the retry delivers nothing");
    PublishResult ch = Await.result(edge.services().channel().publish("orders", PushMessage.of("new"), "order-17"));
    assertEquals(1, ch.offset(), "keys are per stream");
    // concurrent attempts with one key: one position, one delivery
    List<Future<PublishResult>> burst = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      burst.add(edge.services().channel().publish("orders", PushMessage.of("burst"), "burst-1"));
    }
    Await.result(Future.all(burst));
    assertEquals(1, burst.stream().map(f -> f.result().position()).distinct().count(), burst.toString());
    assertEquals(1, burst.stream().mapToInt(f -> f.result().sockets()).sum(), burst.toString());
    PublishResult after = Await.result(edge.services().channel().publish("orders", PushMessage.of("after"), null));
    Await.result(c.waitFor(f -> "after".equals(f.getValue("body"))));
    assertEquals(List.of("pay"), c.framesFor("user.r5").stream().map(f -> f.getValue("body")).toList());
    assertEquals(List.of("new", "burst", "after"), c.framesFor("channel.orders").stream().map(f -> f.getValue("body")).toList());
    assertEquals(3, after.offset());
    assertEquals(io.socketpush.error.Failure.BAD_REQUEST, io.socketpush.error.Failure.of(
        Await.failure(edge.services().channel().publish("orders", PushMessage.of("x"), ""))));
  }

  /**
   * The one ring-change handover end to end: an owner that does not know the edge holding the socket (here its
   * soft state is emptied by an empty announcement, as a new owner's is) stores a publish and acknowledges it
   * without delivering; the edge's next announcement is answered with the streams' tops, and the edge reads the
   * missed messages from history and writes them, once and in order, before the next live one.
   */
  @Test
  void whatAnOwnerStoredBeforeTheEdgeAnnouncedReachesTheSocketAtTheAnnouncement() {
    FrameClient c = edge.authed("r8", "s", "handover");
    PublishResult u1 = Await.result(edge.services().user().publish("r8", PushMessage.of("u1"), null));
    PublishResult c1 = Await.result(edge.services().channel().publish("handover", PushMessage.of("c1"), null));
    assertEquals(1, u1.sockets());
    assertEquals(1, c1.sockets());
    Await.until(() -> c.framesFor("user.r8").size() == 1 && c.framesFor("channel.handover").size() == 1, 5_000, "the first live ones");

    String edgeId = edge.services().membership().nodeId();
    Await.result(edge.services().presence().announce(edgeId, List.of()));
    Await.result(edge.services().interest().announce(edgeId, List.of()));
    PublishResult u2 = Await.result(edge.services().user().publish("r8", PushMessage.of("u2"), null));
    PublishResult c2 = Await.result(edge.services().channel().publish("handover", PushMessage.of("c2"), null));
    assertEquals(0, u2.sockets(), "the owner does not know the edge: stored (the user was present), not delivered");
    assertEquals(0, c2.sockets());
    assertEquals(1, c.framesFor("user.r8").size());

    EdgeNode node = edge.node().verticle.edge().node();
    // on the edge's context, as its timer and ring listener run it: its repairs write to the sockets
    io.vertx.core.Promise<Void> announced = io.vertx.core.Promise.promise();
    node.context().runOnContext(v -> node.announce().onComplete(announced));
    Await.result(announced.future());
    Await.until(() -> c.framesFor("user.r8").size() == 2 && c.framesFor("channel.handover").size() == 2, 5_000, "the repair");
    Await.result(edge.services().user().publish("r8", PushMessage.of("u3"), null));
    Await.result(edge.services().channel().publish("handover", PushMessage.of("c3"), null));
    Await.until(() -> c.framesFor("user.r8").size() == 3 && c.framesFor("channel.handover").size() == 3, 5_000, "live again");
    assertEquals(range(u1.offset(), u1.offset() + 2), offsets(c, "user.r8"));
    assertEquals(range(c1.offset(), c1.offset() + 2), offsets(c, "channel.handover"));
    assertEquals(List.of("u1", "u2", "u3"), c.framesFor("user.r8").stream().map(f -> f.getValue("body")).toList());
  }

  @Test
  void aUserBetweenSocketsIsNotOfflineItsMessagesWaitForTheResume() {
    Await.result(edge.services().auth().set("r6", "s"));
    assertEquals(io.socketpush.error.Failure.NOT_CONNECTED, io.socketpush.error.Failure.of(
        Await.failure(edge.services().user().publish("r6", PushMessage.of("never connected"), null))));
    FrameClient c = edge.client();
    assertEquals("rec", Await.result(c.auth("r6", "s")).getString("type"));
    PublishResult seen = Await.result(edge.services().user().publish("r6", PushMessage.of("seen"), null));
    Await.result(c.waitFor(f -> "seen".equals(f.getValue("body"))));
    Await.result(c.close());
    Await.until(() -> Await.result(edge.services().user().getFrontendServer("r6")).isEmpty(), 5_000, "r6 detached");
    PublishResult away1 = Await.result(edge.services().user().publish("r6", PushMessage.of("while away 1"), null));
    PublishResult away2 = Await.result(edge.services().user().publish("r6", PushMessage.of("while away 2"), null));
    assertEquals(0, away1.sockets());
    assertEquals(seen.offset() + 2, away2.offset());
    FrameClient back = edge.client();
    JsonObject reply = resume(back, "r6", new JsonObject().put("user.r6", seen.position().toString()));
    assertEquals(true, reply.getJsonObject("body").getJsonObject("recovered").getBoolean("user.r6"), reply.encode());
    Await.until(() -> back.framesFor("user.r6").size() >= 2, 5_000, "the replay");
    assertEquals(List.of("while away 1", "while away 2"), back.framesFor("user.r6").stream().map(f -> f.getValue("body")).toList());
  }

  @Test
  void afterRemoveUserAfterDisconnectTimeoutTheUserIsOffline() {
    Await.result(edge.services().cluster(null).setConfig(new JsonObject().put("edge", new JsonObject().put("removeUserAfterDisconnectTimeout", 300))));
    try {
      Await.result(edge.services().auth().set("r7", "s"));
      FrameClient c = edge.client();
      assertEquals("rec", Await.result(c.auth("r7", "s")).getString("type"));
      Await.result(c.close());
      Await.until(() -> Await.result(edge.services().user().getFrontendServer("r7")).isEmpty(), 5_000, "r7 detached");
      // stored (between sockets) until the 300 ms are over, then NOT_CONNECTED
      Await.until(() -> edge.services().user().publish("r7", PushMessage.of("late"), null).transform(ar -> Future.succeededFuture(ar.failed()))
          .toCompletionStage().toCompletableFuture().join(), 5_000, "NOT_CONNECTED after the timeout");
      assertEquals(io.socketpush.error.Failure.NOT_CONNECTED, io.socketpush.error.Failure.of(
          Await.failure(edge.services().user().publish("r7", PushMessage.of("late"), null))));
    } finally {
      Await.result(edge.services().cluster(null).setConfig(new JsonObject().put("edge", new JsonObject().put("removeUserAfterDisconnectTimeout", 60_000))));
    }
  }

  @Test
  void malformedPositionsAreABadRequest() {
    Await.result(edge.services().auth().set("r4", "s"));
    FrameClient c = edge.client();
    JsonObject reply = resume(c, "r4", new JsonObject().put("user.r4", "no-offset"));
    assertEquals("err", reply.getString("type"), reply.encode());
    assertEquals("bad_request", reply.getString("body"));
    assertTrue(reply.getString("description").contains("positions"), reply.encode());
    // the socket stays usable
    assertEquals("rec", Await.result(c.auth("r4", "s")).getString("type"));
    assertEquals(1, Await.result(edge.services().user().publish("r4", PushMessage.of("fine"), null)).sockets());
    Await.result(Future.succeededFuture());
  }

  /**
   * Gap repair (issue 15, step 4): the delivery of one stored message never reaches the edge (dropped on the
   * event bus, as when its owner dies between storing and delivering); the next delivery shows the gap and the
   * edge writes the missing message from history first, so a socket that never reconnected still gets every
   * message once and in order.
   */
  @Test
  void aDeliveryThatNeverArrivesIsRepairedFromHistoryBeforeTheNextOne() {
    FrameClient c = edge.authed("g1", "s", "gappy");
    PublishResult first = Await.result(edge.services().channel().publish("gappy", PushMessage.of("m1"), null));
    Await.result(c.waitFor(f -> "m1".equals(f.getValue("body"))));
    String dropped = String.valueOf(first.offset() + 1);
    java.util.concurrent.atomic.AtomicInteger drops = new java.util.concurrent.atomic.AtomicInteger();
    io.vertx.core.Handler<io.vertx.core.eventbus.DeliveryContext<Object>> drop = ctx -> {
      if (dropped.equals(ctx.message().headers().get(EdgeOps.OFFSET)) && "gappy".equals(ctx.message().headers().get(EdgeOps.KEY))
          && drops.getAndIncrement() == 0) {
        return; // never delivered: the owner's request goes unanswered
      }
      ctx.next();
    };
    edge.node().verticle.edge().localInbox(false); // deliveries over the event bus, where the interceptor drops one
    edge.vertx().eventBus().addOutboundInterceptor(drop);
    try {
      edge.services().channel().publish("gappy", PushMessage.of("m2"), null); // stored, never delivered (its ack times out)
      Await.until(() -> drops.get() == 1, 5_000, "the dropped delivery");
      Await.result(edge.services().channel().publish("gappy", PushMessage.of("m3"), null));
      Await.until(() -> c.framesFor("channel.gappy").size() >= 3, 5_000, "m3 and the repaired m2");
    } finally {
      edge.vertx().eventBus().removeOutboundInterceptor(drop);
      edge.node().verticle.edge().localInbox(true);
    }
    assertEquals(List.of("m1", "m2", "m3"), c.framesFor("channel.gappy").stream().map(f -> f.getValue("body")).toList());
    assertEquals(range(first.offset(), first.offset() + 2), offsets(c, "channel.gappy"));
    JsonObject stats = (JsonObject) Await.result(edge.vertx().eventBus().request(io.socketpush.cluster.Addresses.edgeInbox(edge.node().verticle.nodeId()),
        new JsonObject(), new io.vertx.core.eventbus.DeliveryOptions().addHeader(EdgeOps.OP, EdgeOps.STATS))).body();
    assertEquals(1L, stats.getLong("gapsRepaired"), stats.encode());
  }

  /**
   * An idempotency key counts only if its batch was stored: a key left by a batch that failed half-way (here
   * written by hand, naming an offset the meta never reached) must not answer its retry with that offset, which
   * the next message would get too.
   */
  @Test
  void aKeyWhoseBatchWasNotStoredDoesNotCount() {
    PublishResult first = Await.result(edge.services().channel().publish("halfway", PushMessage.of("a"), null));
    io.vertx.core.shareddata.AsyncMap<String, String> map = Await.result(edge.vertx().sharedData().getAsyncMap(Addresses.STREAMS_MAP));
    Await.result(map.put("k|channel.halfway|retry-1", first.epoch() + ":" + (first.offset() + 1)));
    PublishResult retry = Await.result(edge.services().channel().publish("halfway", PushMessage.of("b"), "retry-1"));
    PublishResult next = Await.result(edge.services().channel().publish("halfway", PushMessage.of("c"), null));
    assertEquals(first.offset() + 1, retry.offset(), "stored anew at the next offset");
    assertEquals(first.offset() + 2, next.offset(), "the next message does not reuse the retry's offset");
    PublishResult again = Await.result(edge.services().channel().publish("halfway", PushMessage.of("b"), "retry-1"));
    assertEquals(retry.position(), again.position(), "now the key is stored with its batch and counts");
  }
}
