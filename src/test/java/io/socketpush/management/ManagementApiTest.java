package io.socketpush.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.testing.Await;
import io.socketpush.testing.FrameClient;
import io.socketpush.testing.EdgeFixture;
import io.socketpush.testing.Http.Response;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The management API over HTTP, good and bad input. */
class ManagementApiTest {
  @RegisterExtension
  static final EdgeFixture NODE = EdgeFixture.node("mgmt-test", new JsonObject());



  private static void assertError(Response r, int status, String code) {
    assertEquals(status, r.status(), r.body().encode());
    assertEquals(code, r.body().getJsonObject("error").getString("code"), r.body().encode());
    assertTrue(r.body().getJsonObject("error").getString("message").length() > 0);
  }

  @Test
  void describesEveryServiceAndMethod() {
    Response r = Await.result(NODE.http().request(HttpMethod.GET, "/api", null, null));
    assertEquals(200, r.status());
    JsonObject services = r.body().getJsonObject("services");
    assertEquals(new JsonArray().add("auth").add("channel").add("user").add("cluster"), new JsonArray(services.fieldNames().stream().toList()));
    JsonObject set = services.getJsonObject("auth").getJsonObject("methods").getJsonObject("set");
    assertEquals("userId", set.getJsonArray("params").getJsonObject(0).getString("name"));
    assertEquals(true, set.getJsonArray("params").getJsonObject(0).getBoolean("shardKey"));
    assertEquals("json", services.getJsonObject("user").getJsonObject("methods").getJsonObject("publish")
        .getJsonArray("params").getJsonObject(1).getString("type"));
  }

  @Test
  void theDemoOverHttp() {
    assertEquals(200, Await.result(NODE.http().call("auth", "set", new JsonObject().put("userId", "1").put("sessionId", "test"))).status());
    FrameClient c = Await.result(FrameClient.connect(NODE.vertx(), NODE.node().edgePort()));
    try {
      assertEquals("rec", Await.result(c.auth("1", "test")).getString("type"));
      Response r = Await.result(NODE.http().call("user", "publish", new JsonObject().put("userId", 1).put("message", new JsonObject().put("m", "hi"))));
      assertEquals(200, r.status(), r.body().encode());
      assertEquals(1, r.body().getJsonObject("result").getInteger("sockets"), r.body().encode());
      assertTrue(r.body().getJsonObject("result").getString("epoch").length() > 0, r.body().encode());
      long offset = Long.parseLong(r.body().getJsonObject("result").getString("offset"));
      Await.result(c.waitFor(f -> "user.1".equals(f.getString("address")) && "hi".equals(f.getJsonObject("body").getString("m"))));
      // the original URL scheme, a plain-text message
      Response legacy = Await.result(NODE.http().request(HttpMethod.GET, "/user/publish/1/hello%20there", null, null));
      assertEquals(1, legacy.body().getJsonObject("result").getInteger("sockets"), legacy.body().encode());
      assertEquals(String.valueOf(offset + 1), legacy.body().getJsonObject("result").getString("offset"), legacy.body().encode());
      Await.result(c.waitFor(f -> "hello there".equals(f.getValue("body"))));
    } finally {
      Await.result(c.close());
    }
  }

  @Test
  void legacyRoutesTakeParametersByPosition() {
    Await.result(NODE.http().request(HttpMethod.GET, "/auth/set/42/abc", null, null));
    Response r = Await.result(NODE.http().request(HttpMethod.GET, "/auth/check/42/abc", null, null));
    assertEquals("42", r.body().getString("result"), r.body().encode());
    assertError(Await.result(NODE.http().request(HttpMethod.GET, "/auth/check/42/nope", null, null)), 401, "AUTH_FAILED");
    assertError(Await.result(NODE.http().request(HttpMethod.GET, "/auth/frobnicate/1", null, null)), 404, "NOT_FOUND");
    assertError(Await.result(NODE.http().request(HttpMethod.GET, "/auth/set/1/2/3", null, null)), 400, "BAD_REQUEST");
  }

  @Test
  void unknownServiceOrMethodIs404Json() {
    assertError(Await.result(NODE.http().call("nope", "set", new JsonObject())), 404, "NOT_FOUND");
    assertError(Await.result(NODE.http().call("auth", "nope", new JsonObject())), 404, "NOT_FOUND");
    assertError(Await.result(NODE.http().request(HttpMethod.GET, "/no/such/thing/here", null, null)), 404, "NOT_FOUND");
  }

  @Test
  void missingMistypedOrUnknownParamsAre400Json() {
    assertError(Await.result(NODE.http().call("auth", "set", new JsonObject().put("userId", "1"))), 400, "BAD_REQUEST");
    assertError(Await.result(NODE.http().call("auth", "set", new JsonObject().put("userId", new JsonArray()).put("sessionId", "s"))), 400, "BAD_REQUEST");
    assertError(Await.result(NODE.http().call("auth", "set", new JsonObject().put("userId", 1.5).put("sessionId", "s"))), 400, "BAD_REQUEST");
    assertError(Await.result(NODE.http().call("auth", "set", new JsonObject().put("userId", "").put("sessionId", "s"))), 400, "BAD_REQUEST");
    assertError(Await.result(NODE.http().call("auth", "set", new JsonObject().put("userId", "1").put("sessionId", "s").put("x", 1))), 400, "BAD_REQUEST");
    assertError(Await.result(NODE.http().call("user", "publish", new JsonObject().put("userId", "1"))), 400, "BAD_REQUEST");
    assertError(Await.result(NODE.http().call("cluster", "setConfig", new JsonObject().put("config", "x"))), 400, "BAD_REQUEST");
    assertError(Await.result(NODE.http().request(HttpMethod.POST, "/api/auth/set", "{not json", null)), 400, "BAD_REQUEST");
    assertError(Await.result(NODE.http().request(HttpMethod.POST, "/api/auth/set", "[1,2]", null)), 400, "BAD_REQUEST");
    String huge = "{\"userId\":\"" + "x".repeat(2_000_000) + "\"}";
    // the node answers 413 as soon as the limit is passed; the client may still be uploading, in which case
    // the close that follows can reach it first (a TCP reset) - both mean the body was refused
    io.vertx.core.Future<Response> tooBig = NODE.http().request(HttpMethod.POST, "/api/auth/set", huge, null);
    try {
      assertEquals(413, Await.result(tooBig).status());
    } catch (io.vertx.core.http.HttpClosedException e) {
      // refused by closing: acceptable
    }
    // the connection that carried the oversized body must not poison later requests
    for (int i = 0; i < 12; i++) {
      assertEquals(200, Await.result(NODE.http().request(HttpMethod.GET, "/heartbeat", null, null), 5_000).status());
    }
  }

  @Test
  void offlineUserPublishIsNotConnected() {
    assertError(Await.result(NODE.http().call("user", "publish", new JsonObject().put("userId", "nobody").put("message", "x"))), 404, "NOT_CONNECTED");
  }

  @Test
  void runtimeConfigRoundTripAndRejection() {
    Response ok = Await.result(NODE.http().call("cluster", "setConfig", new JsonObject().put("config",
        new JsonObject().put("edge", new JsonObject().put("removeUserAfterDisconnectTimeout", 30_000)))));
    assertEquals(200, ok.status(), ok.body().encode());
    Await.until(() -> Await.result(NODE.http().call("cluster", "getConfig", new JsonObject())).body().getJsonObject("result")
        .getJsonObject("edge").getLong("removeUserAfterDisconnectTimeout") == 30_000, 5_000, "config applied");
    Response bad = Await.result(NODE.http().call("cluster", "setConfig", new JsonObject().put("config",
        new JsonObject().put("edge", new JsonObject().put("authTimeout", "soon")))));
    assertError(bad, 400, "BAD_REQUEST");
    assertTrue(bad.body().getJsonObject("error").getString("message").contains("edge.authTimeout"));
    assertError(Await.result(NODE.http().call("cluster", "setConfig", new JsonObject().put("config",
        new JsonObject().put("edge", new JsonObject().put("port", 1))))), 400, "BAD_REQUEST");
    // the log level of io.socketpush, cluster-wide at runtime
    Await.result(NODE.http().call("cluster", "setConfig", new JsonObject().put("config",
        new JsonObject().put("logging", new JsonObject().put("level", "DEBUG")))));
    Await.until(() -> org.slf4j.LoggerFactory.getLogger("io.socketpush.edge").isDebugEnabled(), 5_000, "DEBUG applied");
    assertError(Await.result(NODE.http().call("cluster", "setConfig", new JsonObject().put("config",
        new JsonObject().put("logging", new JsonObject().put("level", "LOUD"))))), 400, "BAD_REQUEST");
    Await.result(NODE.http().call("cluster", "setConfig", new JsonObject().put("config",
        new JsonObject().put("logging", new JsonObject().put("level", "INFO")))));
    Await.until(() -> !org.slf4j.LoggerFactory.getLogger("io.socketpush.edge").isDebugEnabled(), 5_000, "INFO applied");
    Await.result(NODE.http().call("cluster", "setConfig", new JsonObject().put("config", new JsonObject().putNull("edge").putNull("logging"))));
  }

  @Test
  void streamMethodsFollowTheApiRules() {
    // publish with an idempotency key: a retry gets the first position; history is read-only, so GET serves it
    JsonObject first = Await.result(NODE.http().call("channel", "publish", new JsonObject().put("channelId", "api-stream")
        .put("message", "one").put("idempotencyKey", "k-1"))).body().getJsonObject("result");
    JsonObject retry = Await.result(NODE.http().call("channel", "publish", new JsonObject().put("channelId", "api-stream")
        .put("message", "one").put("idempotencyKey", "k-1"))).body().getJsonObject("result");
    assertEquals(first.getString("offset"), retry.getString("offset"), retry.encode());
    assertEquals(0, retry.getInteger("sockets"), retry.encode());
    Await.result(NODE.http().call("channel", "publish", new JsonObject().put("channelId", "api-stream").put("message", "two")));
    Response h = Await.result(NODE.http().request(HttpMethod.GET, "/api/channel/history?channelId=api-stream&since=0&limit=1", null, null));
    assertEquals(200, h.status(), h.body().encode());
    assertEquals(new JsonArray().add(new JsonObject().put("offset", "1").put("message", "one")),
        h.body().getJsonObject("result").getJsonArray("messages"), h.body().encode());
    assertEquals("2", h.body().getJsonObject("result").getString("top"), h.body().encode());
    // limit 0 (as for the paged lists): as many as the stream keeps
    Response all = Await.result(NODE.http().call("channel", "history", new JsonObject().put("channelId", "api-stream").put("limit", 0)));
    assertEquals(2, all.body().getJsonObject("result").getJsonArray("messages").size(), all.body().encode());
    // a publish by GET is refused and does nothing
    Response byGet = Await.result(NODE.http().request(HttpMethod.GET, "/api/channel/publish?channelId=api-stream&message=x", null, null));
    assertEquals(405, byGet.status(), byGet.body().encode());
    // bad input: 400 naming the parameter, never 500
    assertError(Await.result(NODE.http().call("channel", "history", new JsonObject().put("channelId", "api-stream").put("limit", -1))),
        400, "BAD_REQUEST");
    assertError(Await.result(NODE.http().call("channel", "history", new JsonObject().put("channelId", "api-stream").put("since", "x"))),
        400, "BAD_REQUEST");
    assertError(Await.result(NODE.http().call("user", "history", new JsonObject().put("userId", ""))), 400, "BAD_REQUEST");
    assertError(Await.result(NODE.http().call("channel", "publish", new JsonObject().put("channelId", "api-stream").put("message", "x")
        .put("idempotencyKey", "bad\u0007key"))), 400, "BAD_REQUEST");
    assertError(Await.result(NODE.http().call("channel", "publish", new JsonObject().put("channelId", "api-stream").put("message", "x")
        .put("idempotencyKey", "k".repeat(201)))), 400, "BAD_REQUEST");
    Response after = Await.result(NODE.http().call("channel", "history", new JsonObject().put("channelId", "api-stream")));
    assertEquals("2", after.body().getJsonObject("result").getString("top"), after.body().encode());
  }

  @Test
  void getServesReadOnlyMethodsAndNeverChangesState() {
    Response st = Await.result(NODE.http().request(HttpMethod.GET, "/api/cluster/status", null, null));
    assertEquals(200, st.status(), st.body().encode());
    assertEquals("mgmt-test", st.body().getJsonObject("result").getString("nodeId"));
    Await.result(NODE.http().call("auth", "set", new JsonObject().put("userId", "get-user").put("sessionId", "s")));
    Await.result(NODE.http().call("channel", "subscribe", new JsonObject().put("userId", "get-user").put("channelId", "get-news")));
    Await.result(NODE.http().call("channel", "subscribe", new JsonObject().put("userId", "get-user").put("channelId", "get-more")));
    Response subs = Await.result(NODE.http().request(HttpMethod.GET, "/api/channel/getSubscriptions?userId=get-user&limit=1", null, null));
    assertEquals(200, subs.status(), subs.body().encode());
    assertEquals(new JsonArray().add("get-news"), subs.body().getJsonObject("result").getJsonArray("items"), subs.body().encode());
    Response next = Await.result(NODE.http().request(HttpMethod.GET, "/api/channel/getSubscriptions?userId=get-user&limit=1&cursor="
        + subs.body().getJsonObject("result").getString("nextCursor"), null, null));
    assertEquals(new JsonArray().add("get-more"), next.body().getJsonObject("result").getJsonArray("items"), next.body().encode());
    // a state change by GET (a link or an image on another site could send it) is refused and does nothing
    Response set = Await.result(NODE.http().request(HttpMethod.GET, "/api/auth/set?userId=get-user&sessionId=evil", null, null));
    assertEquals(405, set.status(), set.body().encode());
    assertError(Await.result(NODE.http().call("auth", "check", new JsonObject().put("userId", "get-user").put("sessionId", "evil"))),
        401, "AUTH_FAILED");
    assertError(Await.result(NODE.http().request(HttpMethod.GET, "/api/cluster/nope", null, null)), 404, "NOT_FOUND");
  }

  @Test
  void heartbeatAndStatus() {
    Response hb = Await.result(NODE.http().request(HttpMethod.GET, "/heartbeat", null, null));
    assertEquals("ok", hb.body().getString("status"));
    Response st = Await.result(NODE.http().call("cluster", "status", null));
    assertEquals("mgmt-test", st.body().getJsonObject("result").getString("nodeId"));
  }
}
