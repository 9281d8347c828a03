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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Input and error semantics across the management API and the edge: ids keep their exact text, legacy URL
 * segments are percent-decoded without the form-encoding '+', setConfig merges, and the Origin default is
 * the documented one. Each test failed before its fix.
 */
class InputSemanticsTest {
  @RegisterExtension
  static final EdgeFixture NODE = EdgeFixture.node("input-test", new JsonObject());



  private static Response post(String path, String rawJson) {
    return Await.result(NODE.http().request(HttpMethod.POST, path, rawJson, null));
  }

  private static void assertError(Response r, int status, String code) {
    assertEquals(status, r.status(), r.body().encode());
    assertEquals(code, r.body().getJsonObject("error").getString("code"), r.body().encode());
  }

  @Test
  void numericIdsKeepTheirExactText() {
    // 2^64 + 1: was read as a long and stored under "1"
    assertEquals(200, post("/api/auth/set", "{\"userId\":18446744073709551617,\"sessionId\":\"big\"}").status());
    Response check = post("/api/auth/check", "{\"userId\":\"18446744073709551617\",\"sessionId\":\"big\"}");
    assertEquals("18446744073709551617", check.body().getString("result"), check.body().encode());
    assertError(post("/api/auth/check", "{\"userId\":\"1\",\"sessionId\":\"big\"}"), 401, "AUTH_FAILED");
    // the edge reads a numeric id the same way: the socket is user 18446744073709551617
    FrameClient c = Await.result(FrameClient.connect(NODE.vertx(), NODE.node().edgePort()));
    try {
      c.send(new JsonObject().put("type", "send").put("address", "socketpush.auth").put("replyAddress", "big")
          .put("body", new JsonObject().put("userId", new java.math.BigInteger("18446744073709551617")).put("sessionId", "big")));
      JsonObject reply = Await.result(c.waitFor(f -> "big".equals(f.getString("address"))));
      assertEquals("rec", reply.getString("type"), reply.encode());
      assertEquals("18446744073709551617", reply.getJsonObject("body").getString("userId"));
    } finally {
      Await.result(c.close());
    }
    // 1.0 has no exact id text once parsed (the API made it "1", the edge "1.0"): refused by both
    assertError(post("/api/auth/set", "{\"userId\":1.0,\"sessionId\":\"s\"}"), 400, "BAD_REQUEST");
    assertError(post("/api/user/publish", "{\"userId\":1e2,\"message\":\"m\"}"), 400, "BAD_REQUEST");
    FrameClient d = Await.result(FrameClient.connect(NODE.vertx(), NODE.node().edgePort()));
    try {
      d.send(new JsonObject().put("type", "send").put("address", "socketpush.auth").put("replyAddress", "f")
          .put("body", new JsonObject().put("userId", 1.0).put("sessionId", "s")));
      JsonObject reply = Await.result(d.waitFor(f -> "f".equals(f.getString("address"))));
      assertEquals("err", reply.getString("type"), reply.encode());
      assertEquals("bad_request", reply.getString("body"), reply.encode());
    } finally {
      Await.result(d.close());
    }
  }

  @Test
  void legacySegmentsArePercentDecodedAndPlusStaysPlus() {
    Response set = Await.result(NODE.http().request(HttpMethod.GET, "/auth/set/a+b/s%2Bt%20u", null, null));
    assertEquals(200, set.status(), set.body().encode());
    Response check = post("/api/auth/check", new JsonObject().put("userId", "a+b").put("sessionId", "s+t u").encode());
    assertEquals("a+b", check.body().getString("result"), check.body().encode());
    Response legacy = Await.result(NODE.http().request(HttpMethod.GET, "/auth/check/a+b/s+t%20u", null, null));
    assertEquals("a+b", legacy.body().getString("result"), legacy.body().encode());
    // a broken escape is the caller's mistake: 400, not a 500
    assertError(Await.result(NODE.http().request(HttpMethod.GET, "/auth/check/%zz/x", null, null)), 400, "BAD_REQUEST");
    assertError(Await.result(NODE.http().request(HttpMethod.GET, "/auth/check/%C3%28/x", null, null)), 400, "BAD_REQUEST");
  }

  @Test
  void setConfigMergesIntoTheRuntimeConfig() {
    JsonObject origins = new JsonObject().put("config", new JsonObject().put("edge",
        new JsonObject().put("allowedOrigins", new JsonArray().add("https://app.example"))));
    assertEquals(200, Await.result(NODE.http().call("cluster", "setConfig", origins)).status());
    Response level = Await.result(NODE.http().call("cluster", "setConfig", new JsonObject().put("config",
        new JsonObject().put("logging", new JsonObject().put("level", "INFO")))));
    assertEquals(200, level.status(), level.body().encode());
    // the answer is the whole stored runtime config, and every node applies all of it
    assertEquals(new JsonArray().add("https://app.example"),
        level.body().getJsonObject("result").getJsonObject("edge").getJsonArray("allowedOrigins"), level.body().encode());
    Await.until(() -> new JsonArray().add("https://app.example").equals(Await.result(NODE.http().call("cluster", "getConfig",
        new JsonObject())).body().getJsonObject("result").getJsonObject("edge").getJsonArray("allowedOrigins")), 5_000,
        "allowedOrigins kept after setting the log level");
    // null removes a runtime option: the startup value applies again
    Response removed = Await.result(NODE.http().call("cluster", "setConfig", new JsonObject().put("config",
        new JsonObject().put("edge", new JsonObject().putNull("allowedOrigins")).putNull("logging"))));
    assertEquals(new JsonObject(), removed.body().getJsonObject("result"), removed.body().encode());
    Await.until(() -> Await.result(NODE.http().call("cluster", "getConfig", new JsonObject())).body().getJsonObject("result")
        .getJsonObject("edge").getJsonArray("allowedOrigins").isEmpty(), 5_000, "allowedOrigins back to the startup value");
  }

  @Test
  void originDefaultIsTheDocumentedOne() throws Exception {
    String doc = Files.readString(Path.of("conf", "README.md"), StandardCharsets.UTF_8);
    String row = doc.lines().filter(l -> l.startsWith("| `edge.allowedOrigins`")).findFirst().orElseThrow();
    assertTrue(row.contains("Empty: only the own origin"), row);
    // default config: a page of the edge's own origin may open a socket, another site's may not
    String own = "http://127.0.0.1:" + NODE.node().edgePort();
    Await.result(Await.result(FrameClient.connect(NODE.vertx(), NODE.node().edgePort(), own)).close());
    Throwable refused = Await.failure(FrameClient.connect(NODE.vertx(), NODE.node().edgePort(), "https://evil.example"));
    assertTrue(String.valueOf(refused.getMessage()).contains("403"), String.valueOf(refused));
    Await.result(Await.result(FrameClient.connect(NODE.vertx(), NODE.node().edgePort(), null)).close()); // non-browser clients
  }
}
