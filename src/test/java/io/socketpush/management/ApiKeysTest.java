package io.socketpush.management;

import static io.socketpush.testing.Await.failure;
import static io.socketpush.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.client.http.HttpApiClient;
import io.socketpush.error.Failure;
import io.socketpush.testing.Http;
import io.socketpush.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * API keys: with {@code management.apiKeys} configured every call needs {@code Authorization: Bearer <key>}
 * (401 without, 403 with a wrong key); read-only keys call only the read-only methods. The admin port binds
 * 127.0.0.1 by default.
 */
class ApiKeysTest {
  private static final String ADMIN = "admin-key";
  private static final String READ_ONLY = "ro-key";
  private static Vertx vertx;
  private static TestNode node;
  private static Http http;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    node = result(TestNode.start(vertx, "keys-node", new JsonObject().put("management", new JsonObject()
        .put("apiKeys", new JsonArray().add(ADMIN)).put("readOnlyApiKeys", new JsonArray().add(READ_ONLY)))));
    http = new Http(vertx, node.adminPort());
  }

  @AfterAll
  static void stop() {
    if (vertx != null) {
      result(vertx.close());
    }
  }

  private static Http.Response post(String service, String method, JsonObject params, String authorization) {
    return result(http.request(HttpMethod.POST, "/api/" + service + "/" + method, params.encode(), authorization));
  }

  private static void assertError(Http.Response r, int status, Failure code) {
    assertEquals(status, r.status(), r.body().encode());
    assertEquals(code.name(), r.body().getJsonObject("error").getString("code"), r.body().encode());
  }

  @Test
  void noKeyIs401WrongKeyIs403() {
    JsonObject p = new JsonObject().put("userId", "1").put("sessionId", "s");
    assertError(post("auth", "set", p, null), 401, Failure.UNAUTHORIZED);
    assertError(post("auth", "set", p, "Basic " + ADMIN), 401, Failure.UNAUTHORIZED);
    assertError(post("auth", "set", p, "Bearer wrong"), 403, Failure.FORBIDDEN);
    assertEquals(200, post("auth", "set", p, "Bearer " + ADMIN).status());
    // the original's GET URLs need the key too
    assertError(result(http.request(HttpMethod.GET, "/auth/check/1/s", null, null)), 401, Failure.UNAUTHORIZED);
    Http.Response legacy = result(http.request(HttpMethod.GET, "/auth/check/1/s", null, "Bearer " + ADMIN));
    assertEquals(200, legacy.status(), legacy.body().encode());
    assertEquals("1", legacy.body().getString("result"));
    // the self-description stays readable: the UI and the generators read it before asking for a key
    assertEquals(200, result(http.request(HttpMethod.GET, "/api", null, null)).status());
    JsonObject openapi = result(http.request(HttpMethod.GET, "/openapi.json", null, null)).body();
    assertEquals("bearer", openapi.getJsonObject("components").getJsonObject("securitySchemes")
        .getJsonObject("apiKey").getString("scheme"));
  }

  /** For every method of the catalogue: a read-only key is let through exactly for the read-only ones. */
  @Test
  void readOnlyKeyCallsOnlyReadOnlyMethods() {
    List<String> problems = new ArrayList<>();
    int readOnly = 0;
    for (var service : ApiCatalog.methods().values()) {
      for (ApiMethod m : service.values()) {
        // empty params: allowed calls then fail validation (400) or answer, never 401/403
        Http.Response r = post(m.service(), m.name(), new JsonObject(), "Bearer " + READ_ONLY);
        String code = r.body().getJsonObject("error") == null ? null : r.body().getJsonObject("error").getString("code");
        if (m.readOnly()) {
          readOnly++;
          if ("FORBIDDEN".equals(code) || "UNAUTHORIZED".equals(code)) {
            problems.add(m.service() + "." + m.name() + " is read-only but was refused: " + r.body().encode());
          }
        } else if (r.status() != 403 || !"FORBIDDEN".equals(code)) {
          problems.add(m.service() + "." + m.name() + " must be refused to a read-only key: " + r.status() + " " + r.body().encode());
        }
      }
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));
    assertTrue(readOnly >= 8, "list/get/status/check methods are read-only");
    Http.Response list = post("user", "listAll", new JsonObject(), "Bearer " + READ_ONLY);
    assertEquals(200, list.status(), list.body().encode());
  }

  @Test
  void httpProxiesSendTheKey() {
    HttpApiClient admin = HttpApiClient.create(vertx, "http://127.0.0.1:" + node.adminPort(), ADMIN);
    HttpApiClient ro = HttpApiClient.create(vertx, "http://127.0.0.1:" + node.adminPort(), READ_ONLY);
    HttpApiClient none = HttpApiClient.create(vertx, "http://127.0.0.1:" + node.adminPort(), null);
    HttpApiClient wrong = HttpApiClient.create(vertx, "http://127.0.0.1:" + node.adminPort(), "wrong");
    try {
      result(admin.auth().set("k1", "s1"));
      assertEquals("k1", result(admin.auth().check("k1", "s1")));
      assertEquals("k1", result(ro.auth().check("k1", "s1")));
      assertEquals(Failure.FORBIDDEN, Failure.of(failure(ro.auth().set("k1", "s2"))));
      assertEquals(Failure.UNAUTHORIZED, Failure.of(failure(none.channel().listAll(0, null))));
      assertEquals(Failure.FORBIDDEN, Failure.of(failure(wrong.channel().listAll(0, null))));
    } finally {
      admin.close();
      ro.close();
      none.close();
      wrong.close();
    }
  }

  /**
   * The admin port binds 127.0.0.1 by default (TestNode does not set management.host): reachable there, not
   * on another loopback address such as 127.0.0.2, which a wildcard bind would accept.
   */
  @Test
  void adminPortBindsLoopbackOnlyByDefault() {
    NetClient net = vertx.createNetClient();
    try {
      // control: 127.0.0.2 is reachable on this machine when something listens there
      var control = result(vertx.createNetServer().connectHandler(so -> so.close()).listen(0, "127.0.0.2"));
      try {
        result(net.connect(control.actualPort(), "127.0.0.2").compose(so -> so.close()));
      } finally {
        result(control.close());
      }
      result(net.connect(node.adminPort(), "127.0.0.1").compose(so -> so.close()));
      Throwable err = failure(net.connect(node.adminPort(), "127.0.0.2"));
      assertNotEquals(null, err);
      assertEquals("127.0.0.1", io.socketpush.config.NodeConfig.from(new JsonObject()).management().host());
    } finally {
      net.close();
    }
  }
}
