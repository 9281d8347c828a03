package io.socketpush.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.testing.Await;
import io.socketpush.testing.EdgeFixture;
import io.socketpush.testing.FrameClient;
import io.socketpush.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Brute force on the client port: 1,000 wrong sessions over 20 sockets from one IP (127.0.0.1), first against a
 * node whose throttle is effectively off (the "before"), then against a node with the defaults: the second
 * checks about 20 guesses and answers the rest {@code rate_limited}, while a legitimate user on another IP
 * (127.0.0.2, the client socket bound to it) logs in normally. Also: the per-user throttle across IPs and the
 * per-IP cap of unauthenticated sockets.
 */
class BruteForceTest {
  @RegisterExtension
  static final EdgeFixture edge = EdgeFixture.node("bf-open", new JsonObject().put("edge", new JsonObject()
      .put("authFailuresPerIp", 1_000_000).put("authFailuresPerUser", 1_000_000)));
  static TestNode open;
  static TestNode guarded;

  @BeforeAll
  static void start() {
    open = edge.node();
    guarded = edge.also("bf-guarded", new JsonObject().put("edge", new JsonObject().put("maxUnauthenticatedPerIp", 30)));
  }

  private FrameClient from(String localAddress, TestNode node) {
    return edge.client(node, new WebSocketClientOptions().setLocalAddress(localAddress));
  }

  /** Outcome of an attack: replies by body, and how long it took. */
  record Attack(int authFailed, int rateLimited, int other, long nanos) {
    double perSecond(int n) {
      return n / (nanos / 1e9);
    }
  }

  /** 20 sockets from 127.0.0.1, 50 wrong guesses each, one at a time per socket, as fast as answered. */
  private Attack attack(TestNode node, String tag) {
    List<FrameClient> sockets = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      sockets.add(from("127.0.0.1", node));
    }
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger limited = new AtomicInteger();
    AtomicInteger other = new AtomicInteger();
    long t0 = System.nanoTime();
    List<Future<Void>> all = new ArrayList<>();
    for (int i = 0; i < sockets.size(); i++) {
      FrameClient c = sockets.get(i);
      int socket = i;
      Future<Void> chain = Future.succeededFuture();
      for (int k = 0; k < 50; k++) {
        String user = tag + "-u" + (socket * 50 + k);
        chain = chain.compose(v -> c.auth(user, "guess").map(reply -> {
          String body = reply.getString("body");
          if ("auth_failed".equals(body)) {
            failed.incrementAndGet();
          } else if ("rate_limited".equals(body)) {
            limited.incrementAndGet();
          } else {
            other.incrementAndGet();
          }
          return null;
        }));
      }
      all.add(chain);
    }
    Await.result(Future.all(all), 60_000);
    return new Attack(failed.get(), limited.get(), other.get(), System.nanoTime() - t0);
  }

  @Test
  void oneIpIsThrottledWhileAnotherIpLogsIn() {
    Attack before = attack(open, "open");
    assertEquals(1_000, before.authFailed(), "without the throttle every guess is checked: " + before);

    Attack after = attack(guarded, "guarded");
    // a legitimate user on another IP, during the block of 127.0.0.1
    Await.result(guarded.verticle.services().auth().set("legit", "right"));
    JsonObject legit = Await.result(from("127.0.0.2", guarded).auth("legit", "right"));
    JsonObject blockedLegit = Await.result(from("127.0.0.1", guarded).auth("legit", "right"));

    System.out.printf("brute force, 1,000 wrong sessions over 20 sockets from 127.0.0.1:%n"
            + "  before (throttle off): %d checked in %.2f s = %.0f checked guesses/s%n"
            + "  after  (defaults):     %d checked, %d rate_limited in %.2f s = %.0f checked guesses/s"
            + " (%.0f answers/s)%n",
        before.authFailed(), before.nanos() / 1e9, before.perSecond(before.authFailed()),
        after.authFailed(), after.rateLimited(), after.nanos() / 1e9, after.perSecond(after.authFailed()),
        after.perSecond(1_000));
    assertEquals(1_000, after.authFailed() + after.rateLimited(), "every attempt answered: " + after);
    // 20 free failures; attempts already in flight when the 20th failed are checked too (one per socket)
    assertTrue(after.authFailed() <= 20 + 20, "at most the free failures plus one in-flight per socket: " + after);
    assertTrue(after.rateLimited() >= 960, after.toString());
    assertEquals("rec", legit.getString("type"), "the user on 127.0.0.2 logs in: " + legit);
    assertEquals("rate_limited", blockedLegit.getString("body"), "127.0.0.1 itself is blocked: " + blockedLegit);
    assertTrue(blockedLegit.getLong("retryAfter") > 0, blockedLegit.encode());
  }

  @Test
  void oneUserIsThrottledAcrossIps() {
    Await.result(guarded.verticle.services().auth().set("target", "secret"));
    for (int i = 0; i < 10; i++) {
      JsonObject r = Await.result(from("127.0.0." + (10 + i), guarded).auth("target", "guess" + i));
      assertEquals("auth_failed", r.getString("body"), r.encode());
    }
    JsonObject r = Await.result(from("127.0.0.30", guarded).auth("target", "guess-11"));
    assertEquals("auth_failed", r.getString("body"), "the 11th is still checked: " + r);
    JsonObject blocked = Await.result(from("127.0.0.31", guarded).auth("target", "guess-12"));
    assertEquals("rate_limited", blocked.getString("body"), "then the user is blocked from any IP: " + blocked);
  }

  @Test
  void unauthenticatedSocketsAreCappedPerIp() {
    List<FrameClient> held = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      held.add(from("127.0.0.40", guarded));
    }
    // the 31st of that IP is closed at once, with a frame saying why
    FrameClient extra = from("127.0.0.40", guarded);
    Await.result(extra.closed());
    assertEquals(ClientSession.CLOSE_TOO_MANY_UNAUTHENTICATED, extra.closeCode());
    assertTrue(extra.frames().stream().anyMatch(f -> "limit_exceeded".equals(f.getString("body"))), extra.frames().toString());
    // another IP is not affected
    FrameClient other = from("127.0.0.41", guarded);
    Await.result(guarded.verticle.services().auth().set("capped", "s"));
    assertEquals("rec", Await.result(other.auth("capped", "s")).getString("type"));
    // an authenticated socket no longer counts: one of the 30 logs in, and a new socket of that IP is admitted
    assertEquals("rec", Await.result(held.get(0).auth("capped", "s")).getString("type"));
    FrameClient next = from("127.0.0.40", guarded);
    assertEquals("rec", Await.result(next.auth("capped", "s")).getString("type"));
  }
}
