package io.socketpush.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.message.PushMessage;
import io.socketpush.testing.Await;
import io.socketpush.testing.EdgeFixture;
import io.socketpush.testing.FrameClient;
import io.socketpush.testing.Http;
import io.socketpush.testing.Http.Response;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The raw WebSocket endpoint (/eventbus/websocket) runs on {@link RawWsIo}, not on SockJS's wrapper (which keeps the
 * RoutingContext and with it the HTTP/1 connection of every socket), and speaks what SockJS's raw transport spoke.
 */
class RawWebSocketTest {
  @RegisterExtension
  static final EdgeFixture edge = EdgeFixture.node("rawws", new JsonObject());
  static Http http;

  @BeforeAll
  static void start() {
    http = new Http(edge.vertx(), edge.node().edgePort());
  }

  /** A raw socket authenticated as {@code user} (its session set first). */
  private static FrameClient authed(String user) {
    Await.result(edge.services().auth().set(user, "s"));
    FrameClient c = Await.result(FrameClient.connect(edge.vertx(), edge.node().edgePort()));
    assertEquals("rec", Await.result(c.auth(user, "s")).getString("type"));
    return c;
  }

  /** The edge's sessions of {@code user}. */
  private static List<ClientSession> sessionsOf(String user) {
    return Await.result(edge.node().verticle.edge().node().sessions()).stream().filter(s -> user.equals(s.userId())).toList();
  }

  /** Runs {@code test} with a raw socket authenticated as {@code user}; then closes it and waits until the edge dropped it. */
  private static void withSocket(String user, java.util.function.Consumer<FrameClient> test) {
    FrameClient c = authed(user);
    try {
      test.accept(c);
    } finally {
      Await.result(c.close());
      Await.until(() -> sessionsOf(user).isEmpty(), 5_000, "session of " + user + " closed");
    }
  }

  @Test
  void rawSocketsRunWithoutTheSockJsWrapperAndSpeakTheSameFrames() {
    withSocket("raw1", c -> {
      List<ClientSession> sessions = sessionsOf("raw1");
      assertEquals(1, sessions.size());
      assertTrue(sessions.get(0).io() instanceof RawWsIo, "transport " + sessions.get(0).io().getClass().getSimpleName());
      assertTrue(((RawWsIo) sessions.get(0).io()).batched(), "flushes batched (Vert.x's upgrade connection reached)");
      assertTrue(((RawWsIo) sessions.get(0).io()).strict(), "no outbound queue of Vert.x's (its internals changed?)");
      // a binary message is a frame too, as SockJS's raw transport read it
      Await.result(c.sendBinary(new JsonObject().put("type", "register").put("address", "user.other")));
      Await.result(c.waitFor(f -> "err".equals(f.getString("type")) && "access_denied".equals(f.getString("body"))));
      assertEquals(1, Await.result(edge.services().user().publish("raw1", PushMessage.of("hello"), null)).sockets());
      Await.result(c.waitFor(f -> "hello".equals(f.getValue("body"))));
    });
  }

  @Test
  void aBurstWrittenInOneTurnArrivesWholeAndInOrder() {
    withSocket("raw2", c -> {
      ClientSession s = sessionsOf("raw2").get(0);
      int n = 300; // more than FlushBatching.MAX_FRAMES_PER_FLUSH: one forced flush inside the turn, one after it
      edge.node().verticle.edge().node().context().runOnContext(v -> {
        for (int i = 0; i < n; i++) {
          s.deliver(new JsonObject().put("type", "rec").put("address", "burst").put("body", i).encode());
        }
      });
      Await.result(c.waitFor(f -> Integer.valueOf(n - 1).equals(f.getValue("body"))));
      List<Integer> bodies = c.frames().stream().filter(f -> "burst".equals(f.getString("address")))
          .map(f -> f.getInteger("body")).toList();
      assertEquals(java.util.stream.IntStream.range(0, n).boxed().toList(), bodies);
    });
  }

  @Test
  void aWriteFromAnotherThreadIsHandedToTheSocketsLoop() {
    withSocket("raw3", c -> {
      RawWsIo io = (RawWsIo) sessionsOf("raw3").get(0).io();
      assertTrue(io.strict());
      // this test's thread is not the socket's event loop: the direct queue must not see the write
      Await.result(io.send(new JsonObject().put("type", "rec").put("address", "elsewhere").put("body", "hopped").encode()));
      Await.result(c.waitFor(f -> "hopped".equals(f.getValue("body"))));
    });
  }

  @Test
  void aRequestWithoutUpgradeIsAnsweredAsSockJsDid() {
    Response get = Await.result(http.request(HttpMethod.GET, "/eventbus/websocket", null, null));
    assertEquals(400, get.status(), get.body().encode());
    assertEquals("Can \"Upgrade\" only to \"WebSocket\".", get.body().getString("raw"));
    Response post = Await.result(http.request(HttpMethod.POST, "/eventbus/websocket", "x", null));
    assertEquals(405, post.status(), post.body().encode());
  }
}
