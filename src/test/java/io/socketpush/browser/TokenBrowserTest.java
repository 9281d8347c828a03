package io.socketpush.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketpush.message.PushMessage;
import io.socketpush.testing.Await;
import io.socketpush.testing.Chromium;
import io.socketpush.testing.Closer;
import io.socketpush.testing.TestNode;
import io.socketpush.testing.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The webroot JS client in Chromium with {@code getToken()} (issue 18): it connects with the token, refreshes it
 * over the same socket before its exp (no reconnect, no token_expired), calls getToken again on a reconnect, and
 * joins a private channel with a subscription token.
 */
class TokenBrowserTest {
  static Vertx vertx;
  static TestNode node;
  static Chromium chromium;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    node = Await.result(TestNode.start(vertx, "token-browser", new JsonObject()
        .put("tokens", new JsonObject().put("secret", Tokens.SECRET).put("leeway", 0))));
    chromium = Chromium.start(options -> { });
  }

  @AfterAll
  static void stop() throws Exception {
    Closer.all(chromium, () -> Await.result(vertx.close(), 30_000));
  }

  private static String token(long expIn) {
    return Tokens.hs256(vertx, Tokens.SECRET, new JsonObject().put("sub", "b1").put("exp", Tokens.now() + expIn));
  }

  @Test
  void getTokenConnectsRefreshesBeforeExpiryAndReconnects() {
    var services = node.verticle.services();
    chromium.driver.get("http://127.0.0.1:" + node.edgePort() + "/");
    // the first token lives 3 s: the client must refresh it (at about 2 s) to keep its socket
    chromium.js("window.tokens = ['" + token(3) + "', '" + token(60) + "', '" + token(60) + "'];"
        + "window.calls = 0; window.got = []; window.states = []; window.errors = [];"
        + "window.sp = SocketPush.connect({ reconnectMin: 200, reconnectMax: 500,"
        + " getToken: function () { window.calls++; return Promise.resolve(window.tokens.shift()); },"
        + " onMessage: function (a, b) { window.got.push(a + ':' + b); },"
        + " onError: function (e) { window.errors.push(JSON.stringify(e)); },"
        + " onStatus: function (t, s) { window.states.push(s); } });");
    chromium.waitUntil("connected with the first token", "window.states.indexOf('connected') >= 0");
    assertEquals("b1", String.valueOf(chromium.js("return window.sp.userId;")));
    chromium.waitUntil("refreshed over the same socket", "window.sp.refreshes === 1");
    Await.result(vertx.timer(2_000)); // past the first token's exp: the socket must still be the first one
    assertEquals(1L, chromium.js("return window.states.filter(function (s) { return s === 'connected'; }).length;"),
        "one connect only: " + chromium.js("return window.states.join(',') + ' ' + window.errors.join(';');"));
    assertTrue((Boolean) chromium.js("return window.errors.every(function (e) { return e.indexOf('token_expired') < 0; });"),
        String.valueOf(chromium.js("return window.errors.join(';');")));
    assertEquals(2L, chromium.js("return window.calls;"));
    assertEquals(1, Await.result(services.user().publish("b1", PushMessage.of("after refresh"), null)).sockets());
    chromium.waitUntil("message after the refresh", "window.got.indexOf('user.b1:after refresh') >= 0");

    // a lost socket: the reconnect asks getToken for a fresh token
    chromium.js("window.sp.eb.close();");
    chromium.waitUntil("reconnected with a new token",
        "window.calls === 3 && window.states.filter(function (s) { return s === 'connected'; }).length === 2");

    // a subscription token joins a private channel
    String sub = Tokens.hs256(vertx, Tokens.SECRET, new JsonObject().put("sub", "b1").put("channel", "secret-room"));
    chromium.js("window.sp.subscribe('" + sub + "').then(function (r) { window.joined = r.channelId; },"
        + " function (e) { window.joined = 'error ' + e.message; });");
    chromium.waitUntil("joined", "window.joined !== undefined");
    assertEquals("secret-room", String.valueOf(chromium.js("return window.joined;")));
    assertEquals(1, Await.result(services.channel().publish("secret-room", PushMessage.of("psst"), null)).sockets());
    chromium.waitUntil("private channel message", "window.got.indexOf('channel.secret-room:psst') >= 0");
  }
}
