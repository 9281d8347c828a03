package io.socketpush.management;

import static io.socketpush.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * CSRF and DNS rebinding on the admin port, with raw HTTP/1.1 so every header is the test's: cross-site
 * Origin / Sec-Fetch-Site and foreign Host headers are refused with 403 FORBIDDEN JSON and change nothing;
 * curl-like requests (no Origin) and same-origin ones work; keys are checked before routing.
 */
class AdminGuardTest {
  private static Vertx vertx;
  private static Vertx keyedVertx;
  private static TestNode node;
  private static TestNode keyed;

  /** A raw answer: status and body. */
  record Answer(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    node = result(TestNode.start(vertx, "guard-node", new JsonObject().put("management", new JsonObject()
        .put("allowedOrigins", new JsonArray().add("https://backoffice.example")))));
    keyedVertx = Vertx.vertx();
    keyed = result(TestNode.start(keyedVertx, "guard-keyed", new JsonObject().put("management", new JsonObject()
        .put("apiKeys", new JsonArray().add("full-key")).put("readOnlyApiKeys", new JsonArray().add("ro-key")))));
  }

  @AfterAll
  static void stop() {
    if (vertx != null) {
      result(vertx.close());
    }
    if (keyedVertx != null) {
      result(keyedVertx.close());
    }
  }

  static Answer send(int port, String method, String path, Map<String, String> headers, String body) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      s.setSoTimeout(10_000);
      StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
      Map<String, String> h = new LinkedHashMap<>();
      h.put("Host", "127.0.0.1:" + port);
      h.putAll(headers);
      h.put("Connection", "close");
      byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
      if (body != null) {
        h.put("Content-Length", String.valueOf(b.length));
      }
      h.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
      req.append("\r\n");
      OutputStream out = s.getOutputStream();
      out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(b);
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      String text = all.toString(StandardCharsets.UTF_8);
      int status = Integer.parseInt(text.substring(9, 12));
      int split = text.indexOf("\r\n\r\n");
      String respBody = split < 0 ? "" : text.substring(split + 4);
      if (text.substring(0, Math.max(split, 0)).toLowerCase().contains("transfer-encoding: chunked")) {
        respBody = dechunk(respBody);
      }
      return new Answer(status, respBody);
    }
  }

  private static String dechunk(String s) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < s.length()) {
      int eol = s.indexOf("\r\n", i);
      int n = Integer.parseInt(s.substring(i, eol).trim(), 16);
      if (n == 0) {
        break;
      }
      out.append(s, eol + 2, eol + 2 + n);
      i = eol + 2 + n + 2;
    }
    return out.toString();
  }

  private static void assertForbidden(Answer a, String what) {
    assertEquals(403, a.status(), what + ": " + a.body());
    assertEquals("FORBIDDEN", a.json().getJsonObject("error").getString("code"), what + ": " + a.body());
  }

  private static boolean sessionExists(String user, String session) throws IOException {
    Answer a = send(node.adminPort(), "POST", "/api/auth/check", Map.of(),
        new JsonObject().put("userId", user).put("sessionId", session).encode());
    return a.status() == 200;
  }

  private static String authSet(String user) {
    return new JsonObject().put("userId", user).put("sessionId", "s").encode();
  }

  @Test
  void crossSiteRequestsAreRefusedAndChangeNothing() throws IOException {
    int port = node.adminPort();
    // a text/plain form POST from another site (a "simple" request: no preflight in browsers)
    assertForbidden(send(port, "POST", "/api/auth/set", Map.of("Origin", "https://evil.example",
        "Content-Type", "text/plain"), authSet("csrf-1")), "cross-site POST");
    // <img src=".../auth/set/..">: no Origin on a no-cors GET, but Sec-Fetch-Site says cross-site
    assertForbidden(send(port, "GET", "/auth/set/csrf-2/s", Map.of("Sec-Fetch-Site", "cross-site",
        "Sec-Fetch-Mode", "no-cors"), null), "cross-site GET of the original scheme");
    assertForbidden(send(port, "GET", "/auth/set/csrf-3/s", Map.of("Origin", "null"), null), "opaque origin");
    // another port of the same host is another origin
    assertForbidden(send(port, "POST", "/api/auth/set", Map.of("Origin", "http://127.0.0.1:8080"), authSet("csrf-4")),
        "other port");
    assertForbidden(send(port, "POST", "/admin/loglevel", Map.of("Origin", "https://evil.example"),
        new JsonObject().put("logger", "io.socketpush").put("level", "TRACE").encode()), "ops route");
    assertForbidden(send(port, "POST", "/api/cluster/setConfig", Map.of("Sec-Fetch-Site", "cross-site"),
        new JsonObject().put("config", new JsonObject().put("edge", new JsonObject()
            .put("allowedOrigins", new JsonArray().add("*")))).encode()), "setConfig");
    for (int i = 1; i <= 4; i++) {
      assertTrue(!sessionExists("csrf-" + i, "s"), "csrf-" + i + " was not registered");
    }
    Answer lv = send(port, "GET", "/admin/loglevel?logger=io.socketpush", Map.of(), null);
    assertTrue(!"TRACE".equals(lv.json().getJsonObject("result").getString("level")), lv.body());
  }

  @Test
  void curlSameOriginAndAllowlistedOriginsWork() throws IOException {
    int port = node.adminPort();
    assertEquals(200, send(port, "POST", "/api/auth/set", Map.of(), authSet("plain")).status(), "no Origin (curl)");
    assertEquals(200, send(port, "GET", "/auth/set/plain-get/s", Map.of(), null).status(), "original GET scheme");
    Answer same = send(port, "POST", "/api/auth/set", Map.of("Origin", "http://127.0.0.1:" + port,
        "Sec-Fetch-Site", "same-origin"), authSet("same"));
    assertEquals(200, same.status(), same.body());
    Answer listed = send(port, "POST", "/api/auth/set", Map.of("Origin", "https://backoffice.example",
        "Sec-Fetch-Site", "cross-site"), authSet("listed"));
    assertEquals(200, listed.status(), "management.allowedOrigins: " + listed.body());
    assertEquals(200, send(port, "GET", "/auth/set/typed/s", Map.of("Sec-Fetch-Site", "none"), null).status(),
        "typed into the address bar");
    assertEquals(200, send(port, "GET", "/api", Map.of("Host", "localhost:" + port), null).status(), "localhost");
    for (String u : new String[] {"plain", "plain-get", "same", "listed", "typed"}) {
      assertTrue(sessionExists(u, "s"), u);
    }
  }

  @Test
  void foreignHostIsRefusedEverywhereButProbes() throws IOException {
    int port = node.adminPort();
    Map<String, String> rebound = Map.of("Host", "attacker.example:" + port);
    assertForbidden(send(port, "GET", "/api", rebound, null), "self-description");
    assertForbidden(send(port, "GET", "/", rebound, null), "management UI");
    assertForbidden(send(port, "GET", "/api/cluster/status", rebound, null), "API");
    assertForbidden(send(port, "GET", "/auth/set/rebind/s", rebound, null), "original scheme");
    // a rebound page is same-origin with itself: Origin matches Host, Host is refused
    assertForbidden(send(port, "POST", "/api/auth/set", Map.of("Host", "attacker.example:" + port,
        "Origin", "http://attacker.example:" + port), authSet("rebind2")), "same-origin rebound POST");
    assertTrue(!sessionExists("rebind", "s") && !sessionExists("rebind2", "s"));
    assertEquals(200, send(port, "GET", "/health", Map.of("Host", "10.1.2.3:" + port), null).status(), "probes by pod IP");
  }

  @Test
  void keysAreCheckedBeforeRouting() throws IOException {
    int port = keyed.adminPort();
    Answer none = send(port, "POST", "/api/nosuch/method", Map.of(), "{}");
    assertEquals(401, none.status(), none.body());
    assertEquals("UNAUTHORIZED", none.json().getJsonObject("error").getString("code"));
    Answer wrong = send(port, "GET", "/user/nosuchmethod", Map.of("Authorization", "Bearer guess"), null);
    assertForbidden(wrong, "wrong key on an unknown method");
    assertTrue(!wrong.body().contains("nosuchmethod"), "nothing about the route: " + wrong.body());
    Answer known = send(port, "POST", "/api/nosuch/method", Map.of("Authorization", "Bearer ro-key"), "{}");
    assertEquals(404, known.status(), "with a known key the router answers: " + known.body());
    assertEquals(200, send(port, "GET", "/api", Map.of(), null).status(), "the description stays open");
  }

  @Test
  void logLevelOnlyForKnownLoggers() throws IOException {
    int port = node.adminPort();
    Answer bad = send(port, "POST", "/admin/loglevel", Map.of(),
        new JsonObject().put("logger", "random.logger.x1").put("level", "DEBUG").encode());
    assertEquals(400, bad.status(), bad.body());
    assertTrue(bad.json().getJsonObject("error").getString("message").contains("io.socketpush"), bad.body());
    assertEquals(400, send(port, "GET", "/admin/loglevel?logger=com.other", Map.of(), null).status());
    Answer ok = send(port, "POST", "/admin/loglevel", Map.of(),
        new JsonObject().put("logger", "org.jgroups.protocols").put("level", "INFO").encode());
    assertEquals(200, ok.status(), ok.body());
    send(port, "POST", "/admin/loglevel", Map.of(),
        new JsonObject().put("logger", "org.jgroups.protocols").put("level", "INHERIT").encode());
  }
}
