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
import io.socketpush.testing.Tokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Token auth through real WebSocket connections to one node whose tokens section has an HS256 secret and an RSA
 * public key: connect with either, channels claim, refresh, expiry close, subscription tokens; session auth
 * unchanged beside it.
 */
class EdgeTokenTest {
  static Path keys;
  static Tokens.Key rsa = Tokens.Key.rsa("backend-1");
  @RegisterExtension
  static final EdgeFixture edge = EdgeFixture.node("token-test", () -> {
    try {
      keys = Files.createTempDirectory("socketpush-keys-");
      Path pem = rsa.writePublicPem(keys);
      return new JsonObject()
          .put("edge", new JsonObject().put("authTimeout", 2_000).put("pingTimeout", 20_000))
          .put("tokens", new JsonObject().put("secret", Tokens.SECRET).put("publicKeys", new JsonArray().add(pem.toString()))
              .put("leeway", 0));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  });

  @AfterAll
  static void deleteKeys() throws Exception {
    try (var files = Files.list(keys)) {
      files.forEach(f -> f.toFile().delete());
    }
    Files.deleteIfExists(keys);
  }

  private static String hs(String user, long expIn) {
    return Tokens.hs256(edge.vertx(), Tokens.SECRET, new JsonObject().put("sub", user).put("exp", Tokens.now() + expIn));
  }

  private FrameClient connected(String token, String user) {
    FrameClient c = edge.client();
    JsonObject reply = Await.result(c.authToken(token));
    assertEquals("rec", reply.getString("type"), reply.encode());
    assertEquals(user, reply.getJsonObject("body").getString("userId"));
    return c;
  }

  private static void receives(FrameClient c, String address, String text) {
    Await.result(c.waitFor(f -> address.equals(f.getString("address")) && text.equals(f.getValue("body"))));
  }

  @Test
  void hs256TokenConnectsAndItsChannelsAreSubscribed() {
    String token = Tokens.hs256(edge.vertx(), Tokens.SECRET, new JsonObject().put("sub", "t1").put("exp", Tokens.now() + 60)
        .put("channels", new JsonArray().add("t-news")).put("info", new JsonObject().put("name", "Ann")));
    FrameClient c = connected(token, "t1");
    assertEquals(1, Await.result(edge.services().user().publish("t1", PushMessage.of("hello t1"), null)).sockets());
    receives(c, "user.t1", "hello t1");
    assertTrue(Await.result(edge.services().channel().getSubscriptions("t1", 0, null)).items().contains("t-news"));
    assertEquals(1, Await.result(edge.services().channel().publish("t-news", PushMessage.of("news"), null)).sockets());
    receives(c, "channel.t-news", "news");
  }

  @Test
  void rs256TokenConnects() {
    FrameClient c = connected(rsa.sign(edge.vertx(), new JsonObject().put("sub", "t2").put("exp", Tokens.now() + 60), true), "t2");
    assertEquals(1, Await.result(edge.services().user().publish("t2", PushMessage.of("hello t2"), null)).sockets());
    receives(c, "user.t2", "hello t2");
  }

  @Test
  void refusedTokensGetAuthFailedAndTheSocketMayTryAgain() {
    FrameClient c = edge.client();
    for (String bad : List.of(Tokens.algNone(new JsonObject().put("sub", "t3").put("exp", Tokens.now() + 60)), hs("t3", -5),
        "not-a-token", Tokens.hmacWith(rsa.publicPem().getBytes(), new JsonObject().put("alg", "HS256"),
            new JsonObject().put("sub", "t3").put("exp", Tokens.now() + 60)))) {
      JsonObject reply = Await.result(c.authToken(bad));
      assertEquals("err", reply.getString("type"), bad);
      assertEquals("auth_failed", reply.getString("message"));
      assertEquals(Failure.AUTH_FAILED.code, reply.getInteger("failureCode"));
    }
    assertEquals(Failure.NOT_CONNECTED, Failure.of(Await.failure(edge.services().user().publish("t3", PushMessage.of("x"), null))));
    JsonObject ok = Await.result(c.authToken(hs("t3", 60)));
    assertEquals("rec", ok.getString("type"), ok.encode());
  }

  @Test
  void refreshBeforeExpiryKeepsTheSocket() {
    FrameClient c = connected(hs("t4", 2), "t4");
    // another user's token is no refresh
    JsonObject other = Await.result(c.request("socketpush.refresh", new JsonObject().put("token", hs("t5", 60))));
    assertEquals("auth_failed", other.getString("message"), other.encode());
    long exp = Tokens.now() + 60;
    JsonObject reply = Await.result(c.request("socketpush.refresh", new JsonObject().put("token",
        Tokens.hs256(edge.vertx(), Tokens.SECRET, new JsonObject().put("sub", "t4").put("exp", exp)))));
    assertEquals("rec", reply.getString("type"), reply.encode());
    assertEquals(exp, reply.getJsonObject("body").getLong("exp"));
    Await.result(edge.vertx().timer(3_500)); // past the first token's exp
    assertFalse(c.closed().isComplete(), "closed with " + c.closeCode() + ": " + c.frames());
    assertEquals(1, Await.result(edge.services().user().publish("t4", PushMessage.of("still here"), null)).sockets());
    receives(c, "user.t4", "still here");
    assertTrue(c.frames().stream().noneMatch(f -> isErr(f, "token_expired")));
  }

  @Test
  void withoutRefreshTheSocketIsClosedWithTokenExpired() {
    FrameClient c = connected(hs("t6", 2), "t6");
    Await.result(c.closed(), 10_000);
    assertEquals(ClientSession.CLOSE_TOKEN_EXPIRED, c.closeCode());
    assertTrue(c.frames().stream().anyMatch(f -> isErr(f, "token_expired")), c.frames().toString());
  }

  @Test
  void subscriptionTokenJoinsAPrivateChannel() {
    FrameClient c = connected(hs("t7", 60), "t7");
    Await.result(c.register("channel.room-7"));
    Await.result(c.waitFor(f -> isErr(f, "access_denied") && "channel.room-7".equals(f.getString("address"))));
    // a token signed for another user, and a connection token, do not join
    JsonObject foreign = Await.result(c.request("socketpush.subscribe", new JsonObject().put("token",
        Tokens.hs256(edge.vertx(), Tokens.SECRET, new JsonObject().put("sub", "t8").put("channel", "room-7")))));
    assertEquals("auth_failed", foreign.getString("message"), foreign.encode());
    JsonObject notSub = Await.result(c.request("socketpush.subscribe", new JsonObject().put("token", hs("t7", 60))));
    assertEquals("auth_failed", notSub.getString("message"), notSub.encode());

    String token = rsa.sign(edge.vertx(), new JsonObject().put("sub", "t7").put("channel", "room-7").put("exp", Tokens.now() + 60), true);
    JsonObject reply = Await.result(c.request("socketpush.subscribe", new JsonObject().put("token", token)));
    assertEquals("rec", reply.getString("type"), reply.encode());
    assertEquals("room-7", reply.getJsonObject("body").getString("channelId"));
    assertTrue(Await.result(edge.services().channel().getSubscriptions("t7", 0, null)).items().contains("room-7"));
    int errors = (int) c.frames().stream().filter(f -> "err".equals(f.getString("type"))).count();
    Await.result(c.register("channel.room-7"));
    assertEquals(1, Await.result(edge.services().channel().publish("room-7", PushMessage.of("private hello"), null)).sockets());
    receives(c, "channel.room-7", "private hello");
    assertEquals(errors, c.frames().stream().filter(f -> "err".equals(f.getString("type"))).count(), "register now allowed");
  }

  @Test
  void sessionAuthIsUnchangedBesideTokens() {
    Await.result(edge.services().auth().set("t9", "s9"));
    FrameClient c = edge.client();
    JsonObject reply = Await.result(c.auth("t9", "s9"));
    assertEquals("rec", reply.getString("type"), reply.encode());
    // a session socket has no token to refresh, and does not expire
    JsonObject refresh = Await.result(c.request("socketpush.refresh", new JsonObject().put("token", hs("t9", 60))));
    assertEquals("bad_request", refresh.getString("message"), refresh.encode());
    // a token socket that logs in again with a session does not expire any more
    Await.result(edge.services().auth().set("t10", "s10"));
    FrameClient both = connected(hs("t10", 2), "t10");
    assertEquals("rec", Await.result(both.auth("t10", "s10")).getString("type"));
    Await.result(edge.vertx().timer(3_500));
    assertFalse(both.closed().isComplete(), "closed with " + both.closeCode());
    // before authenticating, refresh and subscribe are denied
    FrameClient anon = edge.client();
    assertEquals("access_denied", Await.result(anon.request("socketpush.refresh", new JsonObject().put("token", hs("t9", 60)))).getString("message"));
    assertEquals("access_denied", Await.result(anon.request("socketpush.subscribe", new JsonObject().put("token", hs("t9", 60)))).getString("message"));
  }
}
