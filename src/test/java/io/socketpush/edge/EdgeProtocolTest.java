package io.socketpush.edge;

import static io.socketpush.testing.EdgeFixture.isErr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.error.Failure;
import io.socketpush.message.PushMessage;
import io.socketpush.testing.Await;
import io.socketpush.testing.EdgeFixture;
import io.socketpush.testing.FrameClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The client protocol of the edge, through real WebSocket connections speaking bridge frames. */
class EdgeProtocolTest {
  @RegisterExtension
  static final EdgeFixture edge = EdgeFixture.node("edge-test", new JsonObject().put("edge", new JsonObject()
      .put("authTimeout", 500).put("removeUserAfterDisconnectTimeout", 300).put("pingTimeout", 2_000)
      .put("publicChannels", new JsonArray().add("lobby"))));

  @Test
  void authenticatesWithARegisteredSession() {
    FrameClient c = edge.authed("1", "test");
    assertEquals(1, Await.result(edge.services().user().publish("1", PushMessage.of(new JsonObject().put("hello", "world")), null)).sockets());
    JsonObject msg = Await.result(c.waitFor(f -> "user.1".equals(f.getString("address"))));
    assertEquals("rec", msg.getString("type"));
    assertEquals("world", msg.getJsonObject("body").getString("hello"));
  }

  @Test
  void wrongSessionGetsAuthFailedAndNoMessages() {
    Await.result(edge.services().auth().set("2", "right"));
    FrameClient c = edge.client();
    JsonObject reply = Await.result(c.auth("2", "wrong"));
    assertEquals("err", reply.getString("type"));
    assertEquals("auth_failed", reply.getString("message"));
    assertEquals(Failure.AUTH_FAILED.code, reply.getInteger("failureCode"));
    assertEquals(Failure.NOT_CONNECTED, Failure.of(Await.failure(edge.services().user().publish("2", PushMessage.of("x"), null))));
  }

  @Test
  void socketThatNeverAuthenticatesIsClosed() {
    FrameClient c = edge.client();
    Await.result(c.closed(), 5_000);
    assertEquals(ClientSession.CLOSE_AUTH_TIMEOUT, c.closeCode());
    assertTrue(c.frames().stream().anyMatch(f -> isErr(f, "auth_timeout")));
  }

  @Test
  void everythingNotPermittedIsAccessDeniedAndTheSocketStaysUsable() {
    FrameClient anon = edge.client();
    Await.result(anon.register("user.3"));
    Await.result(anon.waitFor(f -> isErr(f, "access_denied") && "user.3".equals(f.getString("address"))));

    FrameClient c = edge.authed("3", "s");
    Await.result(edge.services().channel().subscribe("3", "mine"));
    Await.result(c.register("user.4"));
    Await.result(c.waitFor(f -> isErr(f, "access_denied") && "user.4".equals(f.getString("address"))));
    Await.result(c.register("channel.secret"));
    Await.result(c.waitFor(f -> isErr(f, "access_denied") && "channel.secret".equals(f.getString("address"))));
    Await.result(c.send(new JsonObject().put("type", "send").put("address", "socketpush.user.edge-test").put("body", new JsonObject())));
    Await.result(c.waitFor(f -> isErr(f, "access_denied") && "socketpush.user.edge-test".equals(f.getString("address"))));
    Await.result(c.send(new JsonObject().put("type", "publish").put("address", "channel.mine").put("body", "spoof")));
    Await.result(c.waitFor(f -> isErr(f, "access_denied") && "channel.mine".equals(f.getString("address"))));
    Await.result(c.sendText("not json"));
    Await.result(c.waitFor(f -> isErr(f, "bad_request")));
    // allowed registrations raise no error; the socket still receives
    Await.result(c.register("user.3"));
    Await.result(c.register("channel.mine"));
    Await.result(c.register("channel.lobby")); // public by config
    assertEquals(1, Await.result(edge.services().user().publish("3", PushMessage.of("still here"), null)).sockets());
    Await.result(c.waitFor(f -> "still here".equals(f.getValue("body"))));
    long errors = c.frames().stream().filter(f -> "err".equals(f.getString("type"))).count();
    assertEquals(5, errors, c.frames().toString());
    assertFalse(c.closed().isComplete());
  }

  @Test
  void everySocketOfAUserGetsEveryUserMessage() {
    FrameClient c1 = edge.authed("5", "tab1");
    Await.result(edge.services().auth().set("5", "tab2"));
    FrameClient c2 = edge.client();
    assertEquals("rec", Await.result(c2.auth("5", "tab2")).getString("type"));
    assertEquals(2, Await.result(edge.services().user().publish("5", PushMessage.of(42), null)).sockets());
    Await.result(c1.waitFor(f -> Integer.valueOf(42).equals(f.getValue("body"))));
    Await.result(c2.waitFor(f -> Integer.valueOf(42).equals(f.getValue("body"))));
    assertEquals(List.of("http://127.0.0.1:" + edge.node().edgePort()), Await.result(edge.services().user().getFrontendServer("5")));
    assertTrue(Await.result(edge.services().user().listAll(0, null)).items().contains("5"));
  }

  @Test
  void channelMessagesReachSubscribersOnlyIncludingSubscriptionsMadeAfterConnect() {
    Await.result(edge.services().channel().subscribe("6", "news"));
    FrameClient early = edge.authed("6", "s");
    FrameClient late = edge.authed("7", "s");
    FrameClient outsider = edge.authed("8", "s");
    assertEquals(1, Await.result(edge.services().channel().publish("news", PushMessage.of("first"), null)).sockets());
    Await.result(edge.services().channel().subscribe("7", "news"));
    assertEquals(2, Await.result(edge.services().channel().publish("news", PushMessage.of("second"), null)).sockets());
    Await.result(early.waitFor(f -> "second".equals(f.getValue("body")) && "channel.news".equals(f.getString("address"))));
    Await.result(late.waitFor(f -> "second".equals(f.getValue("body")) && "channel.news".equals(f.getString("address"))));
    assertEquals(2, early.framesFor("channel.news").size());
    assertEquals(1, late.framesFor("channel.news").size());
    Await.result(edge.services().channel().unsubscribe("6", "news"));
    assertEquals(1, Await.result(edge.services().channel().publish("news", PushMessage.of("third"), null)).sockets());
    Await.result(late.waitFor(f -> "third".equals(f.getValue("body"))));
    assertEquals(2, early.framesFor("channel.news").size());
    assertTrue(outsider.framesFor("channel.news").isEmpty());
  }

  @Test
  void channelRecipientsFollowSocketsOpeningAndClosingBetweenPublishes() {
    // the edge caches each channel's recipients between publishes: every change must reach the cache
    Await.result(edge.services().channel().subscribe("9", "feed"));
    FrameClient first = edge.authed("9", "s");
    assertEquals(1, Await.result(edge.services().channel().publish("feed", PushMessage.of(1), null)).sockets());
    FrameClient second = edge.authed("9", "s");
    assertEquals(2, Await.result(edge.services().channel().publish("feed", PushMessage.of(2), null)).sockets());
    Await.result(second.waitFor(f -> Integer.valueOf(2).equals(f.getValue("body"))));
    Await.result(first.waitFor(f -> Integer.valueOf(2).equals(f.getValue("body"))));
    Await.result(first.close());
    Await.until(() -> Await.result(edge.services().channel().publish("feed", PushMessage.of(0), null)).sockets() == 1, 5_000, "closed socket dropped");
    FrameClient guest = edge.authed("10", "s");
    Await.result(guest.register("channel.lobby")); // sent; the edge handles it a moment later
    Await.until(() -> Await.result(edge.services().channel().publish("lobby", PushMessage.of("hi"), null)).sockets() == 1, 5_000, "public socket added");
    Await.result(guest.waitFor(f -> "hi".equals(f.getValue("body"))));
    Await.result(guest.close());
    Await.until(() -> Await.result(edge.services().channel().publish("lobby", PushMessage.of("gone"), null)).sockets() == 0, 5_000, "public socket dropped");
    assertEquals(List.of(1, 2), first.framesFor("channel.feed").stream().map(f -> f.getValue("body")).toList());
  }

  @Test
  void offlineUserIsUnsubscribedFromAllChannelsAfterTheGraceTime() {
    Await.result(edge.services().channel().subscribe("9", "a"));
    Await.result(edge.services().channel().subscribe("9", "b"));
    Await.result(edge.services().channel().subscribe("10", "a"));
    FrameClient gone = edge.authed("9", "s");
    FrameClient stays = edge.authed("10", "s");
    Await.result(gone.close());
    Await.until(() -> Await.result(edge.services().channel().getSubscriptions("9", 0, null)).items().isEmpty(), 5_000, "unsubscribeAll of user 9");
    assertEquals(List.of("10"), Await.result(edge.services().channel().getSubscribers("a", 0, null)).items());
    assertEquals(List.of("a"), Await.result(edge.services().channel().getSubscriptions("10", 0, null)).items());
    assertFalse(stays.closed().isComplete());
  }

  @Test
  void reconnectWithinTheGraceTimeKeepsSubscriptions() {
    Await.result(edge.services().channel().subscribe("11", "keep"));
    FrameClient first = edge.authed("11", "s");
    Await.result(first.close());
    FrameClient again = edge.authed("11", "s");
    try {
      Thread.sleep(800);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    assertEquals(List.of("keep"), Await.result(edge.services().channel().getSubscriptions("11", 0, null)).items());
    assertEquals(1, Await.result(edge.services().channel().publish("keep", PushMessage.of("kept"), null)).sockets());
    Await.result(again.waitFor(f -> "kept".equals(f.getValue("body"))));
  }

  @Test
  void pingsKeepASocketAliveAndSilenceClosesIt() {
    FrameClient pinging = edge.authed("12", "s");
    FrameClient silent = edge.authed("13", "s");
    long end = System.currentTimeMillis() + 3_500;
    while (System.currentTimeMillis() < end) {
      Await.result(pinging.send(new JsonObject().put("type", "ping")));
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    assertTrue(silent.closed().isComplete(), "silent socket should be closed after pingTimeout");
    assertFalse(pinging.closed().isComplete(), "pinging socket should stay open");
  }

  @Test
  void userRemoveClosesAllItsSockets() {
    FrameClient c = edge.authed("14", "s");
    assertEquals(1, Await.result(edge.services().user().remove("14")));
    Await.result(c.closed(), 5_000);
    assertEquals(ClientSession.CLOSE_REMOVED, c.closeCode());
    assertTrue(c.frames().stream().anyMatch(f -> isErr(f, "removed")), "told why before the close");
  }
}
