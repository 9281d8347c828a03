package io.socketpush.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.channel.ChannelService;
import io.socketpush.cluster.Addresses;
import io.socketpush.config.NodeConfig.Role;
import io.socketpush.error.Failure;
import io.socketpush.message.PushMessage;
import io.socketpush.testing.Await;
import io.socketpush.testing.TestNode;
import io.socketpush.user.UserService;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each service through its generated event-bus proxy, so the wire contract is what is tested. Two nodes
 * share one (non-clustered) Vert.x instance, so every ring has two members and WRONG_SHARD is real.
 */
class ServiceProxyTest {
  static Vertx vertx;
  static TestNode a;
  static TestNode b;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    a = Await.result(TestNode.start(vertx, "proxy-a", null));
    b = Await.result(TestNode.start(vertx, "proxy-b", null));
    Await.until(() -> a.verticle.services().membership().ring(Role.AUTH).members().size() == 2
        && b.verticle.services().membership().ring(Role.AUTH).members().size() == 2, 5_000, "two-node rings");
  }

  @AfterAll
  static void stop() {
    Await.result(vertx.close());
  }

  private static String ownerOf(Role role, String key) {
    return a.verticle.services().membership().ring(role).owner(key).orElseThrow();
  }

  private static String keyOwnedBy(Role role, String node) {
    for (int i = 0; ; i++) {
      if (ownerOf(role, "k" + i).equals(node)) {
        return "k" + i;
      }
    }
  }

  private static AuthService auth(String node) {
    return AuthService.createProxy(vertx, Addresses.service(Addresses.AUTH, node), 5_000);
  }

  @Test
  void authSetCheckRemoveThroughTheOwnersProxy() {
    String user = keyOwnedBy(Role.AUTH, "proxy-a");
    AuthService owner = auth("proxy-a");
    Await.result(owner.set(user, "s1"));
    Await.result(owner.set(user, "s2"));
    assertEquals(user, Await.result(owner.check(user, "s1")));
    assertEquals(user, Await.result(owner.check(user, "s2")));
    assertEquals(Failure.AUTH_FAILED, Failure.of(Await.failure(owner.check(user, "nope"))));
    Await.result(owner.remove(user));
    assertEquals(Failure.AUTH_FAILED, Failure.of(Await.failure(owner.check(user, "s1"))));
  }

  @Test
  void aNonOwnerAnswersWrongShardAndTheFacadeReroutes() {
    String user = keyOwnedBy(Role.AUTH, "proxy-b");
    assertEquals(Failure.WRONG_SHARD, Failure.of(Await.failure(auth("proxy-a").set(user, "x"))));
    // the sharded facade of either node reaches the owner
    Await.result(a.verticle.services().auth().set(user, "x"));
    assertEquals(user, Await.result(b.verticle.services().auth().check(user, "x")));
  }

  @Test
  void badInputIsBadRequest() {
    assertEquals(Failure.BAD_REQUEST, Failure.of(Await.failure(auth("proxy-a").set("", "s"))));
    assertEquals(Failure.BAD_REQUEST, Failure.of(Await.failure(auth("proxy-a").set(null, "s"))));
    assertEquals(Failure.BAD_REQUEST, Failure.of(Await.failure(a.verticle.services().auth().check("u", "x".repeat(500)))));
    UserService user = UserService.createProxy(vertx, Addresses.service(Addresses.USER, "proxy-a"), 5_000);
    assertEquals(Failure.BAD_REQUEST, Failure.of(Await.failure(user.publish(keyOwnedBy(Role.USER, "proxy-a"), null, null))));
  }

  @Test
  void channelSubscriptionsThroughTheProxy() {
    String channel = keyOwnedBy(Role.CHANNEL, "proxy-b");
    ChannelService owner = ChannelService.createProxy(vertx, Addresses.service(Addresses.CHANNEL, "proxy-b"), 5_000);
    Await.result(owner.subscribe("u1", channel));
    Await.result(owner.subscribe("u2", channel));
    assertEquals(List.of("u1", "u2"), Await.result(owner.getSubscribers(channel, 0, null)).items());
    assertTrue(Await.result(owner.getSubscriptions("u1", 0, null)).items().contains(channel));
    assertTrue(Await.result(owner.listAll(0, null)).items().contains(channel));
    // nobody connected: a publish reaches no socket but succeeds
    assertEquals(0, Await.result(owner.publish(channel, PushMessage.of(new JsonObject().put("x", 1)), null)).sockets());
    Await.result(owner.unsubscribe("u1", channel));
    assertEquals(List.of("u2"), Await.result(owner.getSubscribers(channel, 0, null)).items());
    ChannelService nonOwner = ChannelService.createProxy(vertx, Addresses.service(Addresses.CHANNEL, "proxy-a"), 5_000);
    assertEquals(Failure.WRONG_SHARD, Failure.of(Await.failure(nonOwner.subscribe("u3", channel))));
    // unsubscribeAll is the facade's (it pages to every channel's owner): one shard refuses it
    assertEquals(Failure.BAD_REQUEST, Failure.of(Await.failure(owner.unsubscribeAll("u2"))));
    // unsubscribeAll through the facade covers channels on both shards
    String other = keyOwnedBy(Role.CHANNEL, "proxy-a");
    Await.result(a.verticle.services().channel().subscribe("u2", other));
    assertEquals(2, Await.result(a.verticle.services().channel().getSubscriptions("u2", 0, null)).items().size());
    Await.result(b.verticle.services().channel().unsubscribeAll("u2"));
    assertEquals(List.of(), Await.result(a.verticle.services().channel().getSubscriptions("u2", 0, null)).items());
    assertEquals(List.of(), Await.result(owner.getSubscribers(channel, 0, null)).items());
  }

  @Test
  void userServiceOfflineUser() {
    String user = keyOwnedBy(Role.USER, "proxy-a");
    UserService owner = UserService.createProxy(vertx, Addresses.service(Addresses.USER, "proxy-a"), 5_000);
    assertEquals(Failure.NOT_CONNECTED, Failure.of(Await.failure(owner.publish(user, PushMessage.of("hi"), null))));
    assertEquals(List.of(), Await.result(owner.getFrontendServer(user)));
    assertEquals(0, Await.result(owner.remove(user)));
    assertNotEquals(null, Await.result(a.verticle.services().user().listAll(0, null)).items());
  }

  @Test
  void clusterStatusShowsBothNodesAndRings() {
    JsonObject s = Await.result(a.verticle.services().cluster("proxy-b").status());
    assertEquals("proxy-b", s.getString("nodeId"));
    assertEquals(2, s.getJsonArray("nodes").size());
    JsonObject shares = s.getJsonObject("rings").getJsonObject("auth").getJsonObject("shares");
    assertEquals(1.0, shares.getDouble("proxy-a") + shares.getDouble("proxy-b"), 0.01);
  }
}
