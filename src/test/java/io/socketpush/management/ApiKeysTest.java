package io.socketpush.management;

import static io.socketpush.testing.Await.failure;
import static io.socketpush.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.client.http.HttpApiClient;
import io.socketpush.error.Failure;
import io.socketpush.testing.Http;
import io.socketpush.testing.EdgeFixture;
import io.socketpush.testing.TestNode;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * API keys: with {@code management.apiKeys} configured every call needs {@code Authorization: Bearer <key>}
 * (401 without, 403 with a wrong key); read-only keys call only the read-only methods. The admin port binds
 * 127.0.0.1 by default.
 */
class ApiKeysTest {
  private static final String ADMIN = "admin-key";
  private static final String READ_ONLY = "ro-key";
  @RegisterExtension
  static final EdgeFixture NODE = EdgeFixture.node("keys-node", new JsonObject().put("management", new JsonObject()
      .put("apiKeys", new JsonArray().add(ADMIN)).put("readOnlyApiKeys", new JsonArray().add(READ_ONLY))));



  private static Http.Response post(String service, String method, JsonObject params, String authorization) {
    return result(NODE.http().request(HttpMethod.POST, "/api/" + service + "/" + method, params.encode(), authorization));
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
    assertError(result(NODE.http().request(HttpMethod.GET, "/auth/check/1/s", null, null)), 401, Failure.UNAUTHORIZED);
    Http.Response legacy = result(NODE.http().request(HttpMethod.GET, "/auth/check/1/s", null, "Bearer " + ADMIN));
    assertEquals(200, legacy.status(), legacy.body().encode());
    assertEquals("1", legacy.body().getString("result"));
    // the self-description stays readable: the UI and the generators read it before asking for a key
    assertEquals(200, result(NODE.http().request(HttpMethod.GET, "/api", null, null)).status());
    JsonObject openapi = result(NODE.http().request(HttpMethod.GET, "/openapi.json", null, null)).body();
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
    HttpApiClient admin = HttpApiClient.create(NODE.vertx(), "http://127.0.0.1:" + NODE.node().adminPort(), ADMIN);
    HttpApiClient ro = HttpApiClient.create(NODE.vertx(), "http://127.0.0.1:" + NODE.node().adminPort(), READ_ONLY);
    HttpApiClient none = HttpApiClient.create(NODE.vertx(), "http://127.0.0.1:" + NODE.node().adminPort(), null);
    HttpApiClient wrong = HttpApiClient.create(NODE.vertx(), "http://127.0.0.1:" + NODE.node().adminPort(), "wrong");
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
   * The admin port binds 127.0.0.1 by default (TestNode does not set management.host), not the wildcard: the
   * kernel's listening socket for that port (/proc/net/tcp and tcp6) has local address 127.0.0.1 and no other.
   * Read from the kernel's table, so the test sends no traffic to any other address.
   */
  @Test
  void adminPortBindsLoopbackOnlyByDefault() throws Exception {
    int port = NODE.node().adminPort();
    java.util.List<String> listening = new java.util.ArrayList<>();
    for (String table : java.util.List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      java.nio.file.Path p = java.nio.file.Path.of(table);
      if (!java.nio.file.Files.exists(p)) {
        continue;
      }
      for (String line : java.nio.file.Files.readAllLines(p)) {
        String[] f = line.trim().split("\\s+");
        // f[1] local address hex "ADDR:PORT", f[3] state (0A: LISTEN)
        if (f.length > 3 && "0A".equals(f[3]) && f[1].endsWith(String.format(":%04X", port))) {
          listening.add(f[1].substring(0, f[1].indexOf(':')));
        }
      }
    }
    // 0100007F: 127.0.0.1 as the kernel prints it (little-endian); a wildcard bind would be 00000000 or 0...0 (tcp6)
    assertEquals(java.util.List.of("0100007F"), listening, "listening sockets on the admin port " + port);
    assertEquals("127.0.0.1", io.socketpush.config.NodeConfig.from(new JsonObject()).management().host());
  }
}
