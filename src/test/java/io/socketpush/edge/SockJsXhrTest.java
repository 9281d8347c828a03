package io.socketpush.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.testing.Await;
import io.socketpush.testing.EdgeFixture;
import io.socketpush.testing.Http;
import io.socketpush.testing.Http.Response;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SockJS's XHR transports spoken by hand (what xhr-polling does in a browser, see SockJsTransportsBrowserTest):
 * frames go up in {@code POST .../xhr_send}, come down in {@code POST .../xhr}. Without a body handler on the
 * send route the edge answered 500 and such a client could never authenticate.
 */
class SockJsXhrTest {
  static final int MAX_FRAME = 4_096;
  @RegisterExtension
  static final EdgeFixture edge = EdgeFixture.node("xhr", new JsonObject().put("edge", new JsonObject().put("maxFrameSize", MAX_FRAME)));
  static Http http;

  @BeforeAll
  static void start() {
    http = new Http(edge.vertx(), edge.node().edgePort());
  }

  private static String raw(Response r) {
    return r.body().getString("raw", r.body().encode());
  }

  /** One SockJS xhr_send body carrying the given bridge frames. */
  private static String sendBody(JsonObject... frames) {
    JsonArray a = new JsonArray();
    for (JsonObject f : frames) {
      a.add(f.encode());
    }
    return a.encode();
  }

  /** Polls .../xhr until a message frame contains {@code needle}; returns that poll's text. */
  private static String pollFor(String session, String needle) {
    long end = System.currentTimeMillis() + 10_000;
    StringBuilder seen = new StringBuilder();
    while (System.currentTimeMillis() < end) {
      String got = raw(Await.result(http.request(HttpMethod.POST, "/eventbus/000/" + session + "/xhr", null, null)));
      seen.append(got);
      if (got.contains(needle)) {
        return got;
      }
    }
    throw new AssertionError("no " + needle + " within 10 s; polls returned: " + seen);
  }

  @Test
  void xhrClientAuthenticatesAndReceives() {
    Await.result(edge.node().verticle.services().auth().set("7", "s"));
    assertEquals("o\n", raw(Await.result(http.request(HttpMethod.POST, "/eventbus/000/sess1/xhr", null, null))));
    Response sent = Await.result(http.request(HttpMethod.POST, "/eventbus/000/sess1/xhr_send", sendBody(new JsonObject()
        .put("type", "send").put("address", "socketpush.auth").put("replyAddress", "r1")
        .put("body", new JsonObject().put("userId", "7").put("sessionId", "s"))), null));
    assertEquals(204, sent.status(), sent.body().encode());
    String reply = pollFor("sess1", "r1");
    assertTrue(reply.contains("\\\"type\\\":\\\"rec\\\"") && reply.contains("\\\"userId\\\":\\\"7\\\""), reply);

    Await.result(edge.node().verticle.services().user().publish("7", io.socketpush.message.PushMessage.of("over xhr"), null));
    pollFor("sess1", "over xhr");
  }

  @Test
  void oversizedSendBodyIsRefusedAndTheEdgeKeepsServing() {
    assertEquals("o\n", raw(Await.result(http.request(HttpMethod.POST, "/eventbus/000/sess2/xhr", null, null))));
    // a frame over maxFrameSize but within the body limit reaches the session: the usual limit_exceeded error
    String big = "x".repeat(MAX_FRAME + 100);
    Response within = Await.result(http.request(HttpMethod.POST, "/eventbus/000/sess2/xhr_send",
        sendBody(new JsonObject().put("type", "publish").put("address", "a").put("body", big)), null));
    assertEquals(204, within.status(), within.body().encode());
    pollFor("sess2", "limit_exceeded");
    // a body over 2 x maxFrameSize is refused before it is buffered further
    String huge = sendBody(new JsonObject().put("type", "publish").put("address", "a").put("body", "y".repeat(3 * MAX_FRAME)));
    try {
      Response r = Await.result(http.request(HttpMethod.POST, "/eventbus/000/sess2/xhr_send", huge, null));
      assertEquals(413, r.status(), r.body().encode());
      assertEquals("LIMIT_EXCEEDED", r.body().getJsonObject("error").getString("code"));
    } catch (HttpClosedException e) {
      // refused by closing the connection while the client was still uploading: also a refusal
    }
    // the session and the edge still work
    Response ok = Await.result(http.request(HttpMethod.POST, "/eventbus/000/sess2/xhr_send",
        sendBody(new JsonObject().put("type", "ping")), null));
    assertEquals(204, ok.status(), ok.body().encode());
    assertEquals(200, Await.result(http.request(HttpMethod.GET, "/", null, null)).status());
  }

  @Test
  void brokenPercentEscapesAreBadRequests() {
    for (String uri : new String[] {"/eventbus/000/%zz/xhr", "/js/%zz.js", "/%"}) {
      Response r = Await.result(http.request(HttpMethod.GET, uri, null, null));
      assertEquals(400, r.status(), uri + " " + r.body().encode());
      assertEquals("BAD_REQUEST", r.body().getJsonObject("error").getString("code"));
    }
  }
}
